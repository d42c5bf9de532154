import { spawn } from 'node:child_process';

export interface ExecOptions {
  command: string;
  cwd: string;
  timeoutMs: number;
  /** Output bytes kept (half from the start, half from the end); the rest is dropped with a notice. */
  maxOutputBytes: number;
  env: Record<string, string>;
  signal?: AbortSignal;
  /** Grace period between SIGTERM and SIGKILL of the process group. */
  killGraceMs?: number;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  output: string;
  durationMs: number;
}

/**
 * Runs a shell command in its own process group (detached), so a timeout or cancel can kill the
 * whole tree — `sh -c 'a | b &'` leaves grandchildren that a plain `child.kill()` would orphan.
 * stdout and stderr are interleaved into one capped buffer.
 */
export function execCommand(options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', options.command], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = new CappedOutput(options.maxOutputBytes);
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const stop = (): void => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 1000);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      stop();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    const finish = (exitCode: number | null, signal: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Make sure nothing of the group outlives the call (a background `&` job, for example).
      killGroup('SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      resolve({ exitCode, signal, timedOut, cancelled, output: output.text(), durationMs: Date.now() - started });
    };
    child.on('error', (error) => {
      output.push(Buffer.from(`failed to start the shell: ${error.message}\n`));
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}

class CappedOutput {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer = Buffer.alloc(0);
  private dropped = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    const headRoom = Math.floor(this.max / 2) - this.headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    const tailMax = this.max - Math.floor(this.max / 2);
    const combined = Buffer.concat([this.tail, chunk]);
    if (combined.length > tailMax) {
      this.dropped += combined.length - tailMax;
      this.tail = combined.subarray(combined.length - tailMax);
    } else this.tail = combined;
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = this.tail.toString('utf8');
    if (this.dropped === 0) return head + tail;
    return `${head}\n[output truncated: ${this.dropped} bytes omitted from the middle]\n${tail}`;
  }
}
