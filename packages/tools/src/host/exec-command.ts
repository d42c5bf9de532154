import { spawn } from 'node:child_process';
import { LightspeedError } from '@lightspeed/ports';
import type { CommandLedger, RunningCommand } from './command-ledger.js';

export interface ExecOptions {
  /** The shell command run by `/bin/sh -c`; with `argv`, only the preview recorded in the ledger. */
  command: string;
  /** Runs this program with these arguments (no shell) instead of `command`. */
  argv?: readonly string[];
  cwd: string;
  timeoutMs: number;
  /** Output bytes kept (half from the start, half from the end); the rest is dropped with a notice. */
  maxOutputBytes: number;
  env: Record<string, string>;
  signal?: AbortSignal;
  /** Grace period between SIGTERM and SIGKILL of the process group. */
  killGraceMs?: number;
  /** Where the running group is recorded before the command starts, so a crash cannot orphan it unnoticed. */
  ledger?: CommandLedger;
  /** Each stdout chunk as it arrives, before any cap (a live reader: the delegate's sub-transcript). */
  onStdout?: (chunk: Buffer) => void;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** stdout and stderr interleaved, capped to `maxOutputBytes`. */
  output: string;
  /** Each stream on its own, each capped to `maxOutputBytes`. */
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * The shell first waits for a go-ahead line on stdin, then runs the command in its place (same pid,
 * so the same group leader). The parent sends the line only once the group is recorded; if it dies
 * before that, stdin reaches EOF and the command never runs. Closing stdin after the line leaves
 * the command an empty stdin, as before.
 */
const GATE = 'IFS= read -r go && [ "$go" = go ] || exit 125; ';
const GATED_SHELL = `${GATE}exec /bin/sh -c "$1"`;
const GATED_ARGV = `${GATE}exec "$@"`;

/**
 * Runs a shell command in its own process group (detached), so a timeout or cancel can kill the
 * whole tree — `sh -c 'a | b &'` leaves grandchildren that a plain `child.kill()` would orphan.
 * stdout and stderr are interleaved into one capped buffer. With a ledger, the group is recorded
 * durably before the command runs and the record is removed once the group is dead; recording
 * failures reject with an `unavailable` LightspeedError (the command did not run).
 */
export async function execCommand(options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  if (options.argv !== undefined && options.argv.length === 0) throw new LightspeedError('invalid', 'argv must name a program', { field: 'argv' });
  const args = options.argv ? ['-c', GATED_ARGV, 'sh', ...options.argv] : ['-c', GATED_SHELL, 'sh', options.command];
  const child = spawn('/bin/sh', args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  // A group killed before the go-ahead (a cancel) closes the pipe under the write.
  child.stdin.on('error', () => undefined);
  const output = new CappedOutput(options.maxOutputBytes);
  const stdout = new CappedOutput(options.maxOutputBytes);
  const stderr = new CappedOutput(options.maxOutputBytes);
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

  const exited = new Promise<ExecResult>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk);
      stdout.push(chunk);
      options.onStdout?.(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output.push(chunk);
      stderr.push(chunk);
    });
    const finish = (exitCode: number | null, signal: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Make sure nothing of the group outlives the call (a background `&` job, for example).
      killGroup('SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      resolve({ exitCode, signal, timedOut, cancelled, output: output.text(), stdout: stdout.text(), stderr: stderr.text(), durationMs: Date.now() - started });
    };
    child.on('error', (error) => {
      const notice = Buffer.from(`failed to start the shell: ${error.message}\n`);
      output.push(notice);
      stderr.push(notice);
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });

  let running: RunningCommand | undefined;
  if (child.pid !== undefined && options.ledger) {
    try {
      running = await options.ledger.record(child.pid, options.command, options.cwd);
    } catch (error) {
      killGroup('SIGKILL');
      const result = await exited;
      // A cancel or timeout that killed the waiting shell is what failed the recording: report that.
      if (timedOut || cancelled) return result;
      throw new LightspeedError('unavailable', `the command was not run: it could not be recorded in ${options.ledger.dir} (${(error as Error).message})`);
    }
  }
  // Stopped (cancelled, timed out) while recording: the command must not start after all.
  child.stdin.end(timedOut || cancelled ? '' : 'go\n');
  const result = await exited;
  await running?.release();
  return result;
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
