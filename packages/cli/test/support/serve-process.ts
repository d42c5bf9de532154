// `lightspeed serve` as a real child process (built from source, like the installed bin) that a test
// can SIGKILL and start again on the same port and data dir.
import { join } from 'node:path';
import { spawnServer, waitForReady, type ServerProcess } from '@lightspeed/testkit';
import { CLI_FROM_SOURCE, REPO_ROOT } from './cli-harness.js';

export interface ServeProcess {
  readonly url: string;
  readonly process: ServerProcess;
  /** SIGKILL to the server alone: its exec children (own process groups) are left as a crash leaves them. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServeProcess(options: { args: readonly string[]; env: NodeJS.ProcessEnv; port: number; logDir: string; name: string }): Promise<ServeProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const server = spawnServer({
    command: CLI_FROM_SOURCE[0]!,
    args: [...CLI_FROM_SOURCE.slice(1), 'serve', '--port', String(options.port), ...options.args],
    env: options.env,
    cwd: REPO_ROOT,
    logFile: join(options.logDir, `${options.name}.log`),
    processGroup: false,
  });
  await waitForReady(server, async () => (await fetch(`${url}/health`)).ok, { what: `lightspeed serve (${options.name})`, timeoutMs: 60_000, intervalMs: 50 });
  return {
    url,
    process: server,
    async kill() {
      process.kill(server.pid, 'SIGKILL');
      await server.exited;
    },
    async stop() {
      await server.stop();
    },
  };
}
