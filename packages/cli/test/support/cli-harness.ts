import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { main } from '../../src/main.js';
import type { CliIo } from '../../src/cli-io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clean environment: no provider keys, no server URL, data under `home`. */
export function cleanEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, LIGHTSPEED_HOME: join(home, '.lightspeed'), ...extra };
}

export class Capture extends PassThrough {
  text = '';
  isTTY = false;
  constructor() {
    super();
    this.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
    });
  }
}

/** Runs the real CLI in this process with captured output. */
export async function runCli(argv: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal; stdout?: Capture; stdin?: PassThrough }): Promise<CliRun> {
  const stdout = options.stdout ?? new Capture();
  const stderr = new Capture();
  const stdin = options.stdin ?? new PassThrough();
  if (!options.stdin) stdin.end();
  const io: CliIo = { stdout, stderr, stdin, env: options.env, cwd: options.cwd ?? process.cwd() };
  const code = await main(argv, { io, ...(options.signal ? { signal: options.signal } : {}) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Polls until `check` returns a value (or throws the last failure after `timeoutMs`). */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '..', '..', '..', '..');
/** The command that runs the CLI from source in a child process (what the terminal test types). */
export const CLI_FROM_SOURCE = ['node', '--conditions=lightspeed-src', '--import', 'tsx', join(here, 'cli-entry.ts')];

/** Runs the CLI from source in a separate process. */
export function spawnCli(argv: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(CLI_FROM_SOURCE[0]!, [...CLI_FROM_SOURCE.slice(1), ...argv], { env, cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `lightspeed serve` in this process; resolves with its URL once it printed it. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv): Promise<{ url: string; stop(): Promise<CliRun> }> {
  const controller = new AbortController();
  const stdout = new Capture();
  const done = runCli(['serve', '--port', '0', ...args], { env, stdout, signal: controller.signal });
  const url = await Promise.race([
    eventually(() => /serving on (http:\/\/\S+)/.exec(stdout.text)?.[1], 60_000),
    done.then((run) => Promise.reject(new Error(`serve exited ${run.code}: ${run.stderr}`))),
  ]);
  return {
    url,
    stop: async () => {
      controller.abort();
      return done;
    },
  };
}
