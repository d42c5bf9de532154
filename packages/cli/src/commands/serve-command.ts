import { join } from 'node:path';
import { apiKeyAuth, JsonFileApiKeyRegistry, singleUserAuth, type GatewayAuth } from '@lightspeed/api';
import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { startAgentStack } from '../runtime/agent-stack.js';
import { MEMORY_DATA_DIR, resolveDataDir } from '../runtime/data-dir.js';
import { serveStack } from '../runtime/local-gateway.js';
import { withModelOptions, type CommandContext } from './command-context.js';

interface ServeFlags {
  port: string;
  host: string;
  dataDir?: string;
  engine: string;
  provider?: string;
  model?: string;
  apiKeys?: string;
  allowHostTools?: boolean;
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be an integer from 0 to 65535, got "${text}"`);
  return port;
}

/** API keys from `--api-keys FILE` (or LIGHTSPEED_API_KEYS_FILE); without one, single-user mode. */
async function gatewayAuth(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<{ auth: GatewayAuth; label: string }> {
  const file = flags.apiKeys ?? env.LIGHTSPEED_API_KEYS_FILE;
  if (!file) return { auth: singleUserAuth(), label: 'single-user (no key; loopback only)' };
  const registry = await JsonFileApiKeyRegistry.open(file);
  const keys = await registry.list();
  if (keys.filter((key) => key.revokedAt === undefined).length === 0) throw usageError(`${file} holds no API key`, 'create one with `lightspeed keys create --universe <name> --api-keys FILE`');
  return { auth: apiKeyAuth(registry), label: `API keys (${file})` };
}

export function registerServe(program: Command, ctx: CommandContext): void {
  const serve = program
    .command('serve')
    .description('run the agent server (JSON-RPC at /rpc, live streams, GET /health)')
    .option('--port <port>', 'TCP port (0 = any free port)', '7420')
    .option('--host <host>', 'interface to bind; non-loopback needs --api-keys', '127.0.0.1')
    .option('--data-dir <dir>', 'data directory (env LIGHTSPEED_HOME, default ~/.lightspeed; ":memory:" keeps nothing)')
    .option('--engine <name>', 'durable engine', 'embedded')
    .option('--api-keys <file>', 'API key file (env LIGHTSPEED_API_KEYS_FILE): callers must present a key; allows network binds')
    .option('--allow-host-tools', 'let sessions ask for features.host: a host directory with file and shell tools (single-user only)');
  withModelOptions(serve);
  serve.action(async (flags: ServeFlags) => {
    ctx.handlesInterrupt = true;
    const port = parsePort(flags.port);
    const { auth, label } = await gatewayAuth(flags, ctx.io.env);
    // Host tools run commands as this user: an API-key caller (another tenant) must never get them.
    if (flags.allowHostTools && auth.mode !== 'single-user') throw usageError('--allow-host-tools cannot be combined with API keys', 'host tools are for a single local user; serve without --api-keys');
    const dataDir = resolveDataDir(flags.dataDir, ctx.io.env, ctx.io.cwd);
    const stack = await startAgentStack({
      dataDir,
      engine: flags.engine,
      env: ctx.io.env,
      requireModel: true,
      ...(flags.provider ? { provider: flags.provider } : {}),
      ...(flags.model ? { model: flags.model } : {}),
      fakeLatencyMs: 5,
      log: (line) => ctx.io.stderr.write(`${line}\n`),
    });
    try {
      const server = await serveStack(stack, {
        hostname: flags.host,
        port,
        auth,
        ...(flags.allowHostTools ? { allowHostTools: true } : {}),
        log: (line) => ctx.io.stderr.write(`${line}\n`),
      });
      const model = stack.defaultModel ? `${stack.defaultModel.providerId}/${stack.defaultModel.model}` : 'none';
      ctx.io.stderr.write(`engine ${flags.engine} · storage ${stack.storageDescription} · auth ${label} · default model ${model}${stack.fake ? ' (scripted fake provider, not a real LLM)' : ''}\n`);
      ctx.io.stdout.write(`lightspeed serving on ${server.url}\n`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      ctx.io.stderr.write('stopping\n');
      await server.close();
    } finally {
      await stack.close();
    }
  });
}

/** Where `keys create` keeps keys by default: beside the data. */
export function defaultApiKeysFile(dataDir: string): string {
  if (dataDir === MEMORY_DATA_DIR) throw usageError('--api-keys FILE is required with --data-dir :memory:');
  return join(dataDir, 'api-keys.json');
}
