import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LightspeedError } from '@lightspeed/ports';
import type { AgentCliName } from './delegate-config.js';

/** Keep in sync with scripts/setup.d/agent-clis.sh, which installs exactly these. */
export const AGENT_CLI_VERSIONS: Record<AgentCliName, string> = { 'claude-code': '2.1.332', codex: '0.171.0' };

const ARCH: Record<string, { claude: string; codex: string; triple: string }> = {
  x64: { claude: 'claude-code-linux-x64', codex: 'codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  arm64: { claude: 'claude-code-linux-arm64', codex: 'codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
};

const OVERRIDE_ENV: Record<AgentCliName, string> = { 'claude-code': 'LIGHTSPEED_CLAUDE_CODE_BIN', codex: 'LIGHTSPEED_CODEX_BIN' };

/** Where the setup script put a CLI's native binary (or the path its override env var names). */
export function agentCliBinaryPath(cli: AgentCliName): string {
  const override = process.env[OVERRIDE_ENV[cli]];
  if (override) return override;
  const cache = join(process.env.LIGHTSPEED_CACHE ?? join(homedir(), '.cache', 'lightspeed'), 'agent-clis');
  const arch = ARCH[process.arch] ?? ARCH.x64!;
  const version = AGENT_CLI_VERSIONS[cli];
  return cli === 'claude-code'
    ? join(cache, `claude-code-${version}`, 'node_modules', '@anthropic-ai', arch.claude, 'claude')
    : join(cache, `codex-${version}`, 'node_modules', '@openai', arch.codex, 'vendor', arch.triple, 'bin', 'codex');
}

/** The binary to run, or an `unavailable` error saying how to install it. */
export function agentCliBinary(cli: AgentCliName): string {
  const path = agentCliBinaryPath(cli);
  if (!existsSync(path)) {
    throw new LightspeedError('unavailable', `the ${cli} CLI is not installed at ${path}: run scripts/setup.d/agent-clis.sh (or set ${OVERRIDE_ENV[cli]})`, { cli });
  }
  return path;
}
