import type { Command } from 'commander';
import { connect, type ConnectOptions, type Connection, type ConnectionFlags } from '../client/connection.js';
import type { CliIo } from '../cli-io.js';

/** What every command action gets: the I/O to use, a stop signal, and where to put its exit code. */
export interface CommandContext {
  io: CliIo;
  /** Aborted on SIGINT/SIGTERM (or by a test) to stop long-running commands such as `serve`. */
  signal: AbortSignal;
  exitCode: number;
  /**
   * Set by commands that stop gracefully on `signal` (serve, one-shot chat); for the others an
   * interrupt exits at once (130), as users expect of a CLI.
   */
  handlesInterrupt?: boolean;
}

/** The flags that choose the server: remote (`--api-url`) or embedded (data dir, engine). */
export function withServerOptions(command: Command): Command {
  return command
    .option('--api-url <url>', 'talk JSON-RPC to a running server (env LIGHTSPEED_API_URL) instead of an embedded one')
    .option('--api-key <key>', 'API key for --api-url (env LIGHTSPEED_API_KEY)')
    .option('--data-dir <dir>', 'embedded data directory (env LIGHTSPEED_HOME, default ~/.lightspeed; ":memory:" keeps nothing)')
    .option('--engine <name>', 'durable engine for the embedded server', 'embedded')
    .option('--config <file>', 'server config file of the embedded server (env LIGHTSPEED_CONFIG; default .lightspeed/server.yaml of the project when it exists)');
}

/** `--provider` and `--model`: the default model of new sessions. */
export function withModelOptions(command: Command): Command {
  return command
    .option('--provider <id>', 'fake (scripted offline echo model, not a real LLM) | openai | anthropic | a providers.json id')
    .option('--model <id>', 'model id for new sessions (default depends on the provider)');
}

/** Runs `body` with a connection and always closes it (the embedded server, storage, data-dir lock). */
export async function withConnection<T>(flags: ConnectionFlags, ctx: CommandContext, options: ConnectOptions, body: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await connect(flags, ctx.io, options);
  try {
    return await body(connection);
  } finally {
    await connection.close();
  }
}

export function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
