import type { ModelSelection } from '@lightspeed/engine';
import { isLightspeedError } from '@lightspeed/ports';
import { CliError, usageError } from '../cli-error.js';
import { commandServerConfig } from '../server-config/command-config.js';
import { startAgentStack, type AgentStack } from '../runtime/agent-stack.js';
import { resolveDataDir } from '../runtime/data-dir.js';
import { serveStack } from '../runtime/local-gateway.js';
import type { CliIo } from '../cli-io.js';
import { RpcClient } from './rpc-client.js';

/** Flags every command that talks to an agent server understands. */
export interface ConnectionFlags {
  apiUrl?: string;
  apiKey?: string;
  dataDir?: string;
  engine?: string;
  provider?: string;
  model?: string;
  /** The embedded server's config file (`--config`); its default location is in `project`. */
  config?: string;
  project?: string;
}

export interface Connection {
  client: RpcClient;
  /** The model new sessions get (embedded: from --provider/--model; remote: the server's default). */
  defaultModel?: ModelSelection;
  /** Present when the server runs in this process. */
  stack?: AgentStack;
  close(): Promise<void>;
}

export interface ConnectOptions {
  requireModel: boolean;
  fakeLatencyMs?: number;
  /**
   * Let the in-process server grant `features.host` (chat `--host-dir`). Only the command that asks
   * for host tools sets it; a remote server (`--api-url`) decides for itself.
   */
  allowHostTools?: boolean;
}

/**
 * A JSON-RPC connection: to `--api-url` when given, else to an embedded server started in this
 * process on an ephemeral loopback port (so embedded and remote use exactly the same protocol).
 */
export async function connect(flags: ConnectionFlags, io: CliIo, options: ConnectOptions): Promise<Connection> {
  const apiUrl = flags.apiUrl ?? io.env.LIGHTSPEED_API_URL;
  if (apiUrl) {
    if (flags.config) throw usageError('--config configures an embedded server; the server at --api-url reads its own', 'pass --config to `lightspeed serve` instead');
    const apiKey = flags.apiKey ?? io.env.LIGHTSPEED_API_KEY;
    const client = new RpcClient({ baseUrl: apiUrl, ...(apiKey ? { apiKey } : {}) });
    return { client, close: async () => {} };
  }
  const config = await commandServerConfig(flags, io);
  const stack = await startAgentStack({
    dataDir: resolveDataDir(flags.dataDir, io.env, io.cwd),
    engine: flags.engine ?? 'embedded',
    env: io.env,
    requireModel: options.requireModel,
    ...(flags.provider ? { provider: flags.provider } : {}),
    ...(flags.model ? { model: flags.model } : {}),
    ...(options.fakeLatencyMs !== undefined ? { fakeLatencyMs: options.fakeLatencyMs } : {}),
    ...(config ? { serverConfig: config } : {}),
    log: (line) => io.stderr.write(`${line}\n`),
  }).catch((error: unknown) => {
    if (isLightspeedError(error, 'locked')) throw new CliError(error.message, 1, 'a server owns this data directory: talk to it with --api-url http://127.0.0.1:7420 (or its address)');
    throw error;
  });
  let server;
  try {
    server = await serveStack(stack, {
      // The embedded server is single-user and loopback-only, so the file's host tools apply as on `serve`.
      // A chat that asks for host tools (--host-dir) gets them on its own in-process server too.
      ...(config?.allowHostTools || options.allowHostTools ? { allowHostTools: true } : {}),
      ...(config ? { priceOverrides: config.priceOverrides } : {}),
      log: (line) => io.stderr.write(`${line}\n`),
    });
  } catch (error) {
    await stack.close();
    throw error;
  }
  const served = server;
  return {
    client: new RpcClient({ baseUrl: served.url }),
    ...(stack.defaultModel ? { defaultModel: stack.defaultModel } : {}),
    stack,
    async close() {
      await served.close().catch(() => undefined);
      await stack.close();
    },
  };
}
