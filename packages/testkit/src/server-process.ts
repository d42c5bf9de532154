// A real server child process for tests: free loopback ports, a log file, a readiness wait that
// fails fast (with the log tail) when the server dies, and a stop that always reaps the process.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Reserves `count` distinct free TCP ports on `host` by binding them all at once, then releases
 * them. Another process may grab one before the server binds it; callers retry on that.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port: 0, exclusive: true }, () => {
            const address = server.address();
            if (address && typeof address === 'object') resolve(address.port);
            else reject(new Error('could not read the bound port'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnServerOptions {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout and stderr are appended here (never piped: a full pipe would stall the server). */
  logFile: string;
  /** Start the server as its own process group, and signal the whole group on stop. */
  processGroup: boolean;
}

export interface ServerProcess {
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  isRunning(): boolean;
  /** The last lines of the server log, for error messages. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

// Children still alive when the test process exits (a crashed test, a forgotten stop) are killed,
// so a test run never leaves servers behind on the machine.
const liveChildren = new Map<number, boolean>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [pid, group] of liveChildren) {
      try {
        process.kill(group ? -pid : pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export function spawnServer(options: SpawnServerOptions): ServerProcess {
  installExitHook();
  const logFd = openSync(options.logFile, 'a');
  let child;
  try {
    child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', logFd, logFd],
      detached: options.processGroup,
    });
  } finally {
    closeSync(logFd);
  }
  let running = true;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      if (child.pid !== undefined) liveChildren.delete(child.pid);
      resolve({ code, signal });
    });
    child.once('error', () => {
      running = false;
      resolve({ code: null, signal: null });
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`could not start ${options.command}; see ${options.logFile}`);
  }
  liveChildren.set(pid, options.processGroup);

  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(options.processGroup ? -pid : pid, sig);
    } catch {
      // exited between the check and the signal
    }
  };

  return {
    pid,
    exited,
    isRunning: () => running,
    logTail(lines = 30) {
      try {
        return readFileSync(options.logFile, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    async stop(graceMs = 10_000) {
      if (running) {
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      // The leader is gone but a group may still hold children.
      if (options.processGroup) signal('SIGKILL');
      return exited;
    },
  };
}

export interface WaitForReadyOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns true. Fails at once if the server exits, and after the timeout
 * otherwise; both errors carry the server's log tail and the last probe failure.
 */
export async function waitForReady(
  server: ServerProcess,
  probe: () => Promise<boolean>,
  options: WaitForReadyOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!server.isRunning()) {
      const exit = await server.exited;
      throw new Error(
        `${options.what} exited during startup (code ${exit.code}, signal ${exit.signal}).\n--- log tail ---\n${server.logTail()}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
  throw new Error(
    `${options.what} not ready after ${options.timeoutMs} ms${lastError ? ` (last probe error: ${lastError})` : ''}.\n--- log tail ---\n${server.logTail()}`,
  );
}
