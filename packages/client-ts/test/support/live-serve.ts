// A live `lightspeed serve` (fake provider, in-memory data, API keys required) as a child process,
// started the way a user starts it: the client's tests talk to it over real HTTP.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnServer, waitForReady, type ServerProcess } from '@lightspeed/testkit';

const here = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(here, '..', '..', '..', '..');
/** `lightspeed` from source in a child process. */
export const LIGHTSPEED = ['node', '--conditions=lightspeed-src', '--import', 'tsx', join(here, 'serve-entry.ts')];

export interface LiveServe {
  readonly url: string;
  /** A key of the server's only universe. */
  readonly apiKey: string;
  readonly process: ServerProcess;
  stop(): Promise<void>;
}

function lightspeed(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(LIGHTSPEED[0]!, [...LIGHTSPEED.slice(1), ...args], { env, cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`lightspeed ${args.join(' ')}: ${stderr}`)) : resolve(stdout)));
  });
}

export async function startLiveServe(): Promise<LiveServe> {
  const home = await mkdtemp(join(tmpdir(), 'ls-client-'));
  const env = { PATH: process.env.PATH, HOME: home, LIGHTSPEED_HOME: join(home, '.lightspeed') };
  const keys = join(home, 'keys.json');
  const apiKey = (await lightspeed(['keys', 'create', '--universe', 'client-tests', '--name', 'tests', '--api-keys', keys], env)).trim();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawnServer({
    command: LIGHTSPEED[0]!,
    args: [...LIGHTSPEED.slice(1), 'serve', '--port', String(port), '--provider', 'fake', '--data-dir', ':memory:', '--api-keys', keys],
    env,
    cwd: REPO_ROOT,
    logFile: join(home, 'serve.log'),
    processGroup: false,
  });
  await waitForReady(server, async () => (await fetch(`${url}/health`)).ok, { what: 'lightspeed serve', timeoutMs: 60_000, intervalMs: 50 });
  return {
    url,
    apiKey,
    process: server,
    async stop() {
      await server.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}
