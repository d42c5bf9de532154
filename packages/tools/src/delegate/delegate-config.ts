import { LightspeedError } from '@lightspeed/ports';
import { z } from 'zod';

/** The coding-agent CLIs the `delegate` tool can drive. */
export type AgentCliName = 'claude-code' | 'codex';
export const AGENT_CLIS: readonly AgentCliName[] = ['claude-code', 'codex'];

/**
 * What a delegated CLI may reach. `provider`: only its model provider — the CLI runs in a network
 * namespace of its own whose loopback forwards one port to the provider (docs/0026); anything else
 * has no route. `host`: the machine's network, unrestricted.
 */
export type DelegateNetwork = 'provider' | 'host';

/**
 * `delegate` in an agent definition: which CLI runs, against which model, with which of its own
 * tools and limits. Credentials are env var *names* passed through to the CLI (values never stored).
 */
export interface DelegateConfig {
  cli: AgentCliName;
  model: string;
  /** The CLI's own tool names it may use without asking (Claude Code `--allowedTools`). */
  allowedTools?: string[];
  network: DelegateNetwork;
  credentialsEnv: string[];
  /** Agent turns the CLI may take (Claude Code `--max-turns`). */
  maxTurns: number;
  /** Wall-clock limit of one delegation; the process group is killed at the limit. */
  timeoutMs: number;
}

export const DEFAULT_DELEGATE_MAX_TURNS = 30;
export const DEFAULT_DELEGATE_TIMEOUT_MS = 15 * 60_000;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The wire shape of one `DelegateConfig` (the API's `DelegateCliConfig` is this schema). */
export const delegateConfigSchema = z
  .object({
    cli: z.enum(['claude-code', 'codex']),
    model: z.string().min(1),
    allowedTools: z.array(z.string().min(1).max(200)).max(100).optional(),
    network: z.enum(['provider', 'host']).default('provider'),
    credentialsEnv: z.array(z.string().regex(ENV_NAME, 'an environment variable name')).max(32).default([]),
    maxTurns: z.number().int().min(1).max(500).default(DEFAULT_DELEGATE_MAX_TURNS),
    timeoutMs: z.number().int().min(1000).max(24 * 3_600_000).default(DEFAULT_DELEGATE_TIMEOUT_MS),
  })
  .strict();

/**
 * Reads `delegate` from an agent definition. Unknown fields are refused by name (a field that does
 * nothing is never ignored), as is `allowedTools` for Codex, which has no per-tool allow list.
 */
export function parseDelegateConfig(raw: unknown, path = 'delegate'): DelegateConfig {
  const parsed = delegateConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const field = [path, ...issue.path.map(String), ...(keys.length === 1 ? keys : [])].join('.');
    const message = keys.length > 0 ? `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((key) => `${path}.${[...issue.path.map(String), key].join('.')}`).join(', ')}` : `${field}: ${issue.message}`;
    throw new LightspeedError('invalid', `invalid delegate config: ${message}`, { field, ...(keys.length > 0 ? { unknown: keys } : {}) });
  }
  const config = parsed.data;
  if (config.cli === 'codex' && config.allowedTools !== undefined) {
    throw new LightspeedError('invalid', `invalid delegate config: ${path}.allowedTools has no effect with cli codex (Codex has no per-tool allow list; its sandbox decides)`, { field: `${path}.allowedTools` });
  }
  return config.allowedTools === undefined ? stripUndefined(config) : config;
}

function stripUndefined(config: DelegateConfig): DelegateConfig {
  const { allowedTools: _omitted, ...rest } = config;
  return rest;
}
