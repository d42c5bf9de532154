// `lightspeed serve --provider fake` as a child process from the built bin, for benchmarks.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'lightspeed.js');

export interface ServeChild {
  url: string;
  stop(): Promise<void>;
  stderr(): string;
  running(): boolean;
}

/**
 * Starts the server on a free port over `dataDir`; resolves once it printed its URL. The server
 * runs its own fake provider, or the one at `fakeUrl` (a benchmark that watches the provider's
 * side runs it in its own process).
 */
export async function startServeChild(dataDir: string, options: { fakeUrl?: string } = {}): Promise<ServeChild> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--provider', 'fake', '--data-dir', dataDir], {
    env: { ...process.env, LIGHTSPEED_HOME: dataDir, ...(options.fakeUrl !== undefined ? { LIGHTSPEED_FAKE_PROVIDER_URL: options.fakeUrl } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return {
    url,
    stderr: () => stderr,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
