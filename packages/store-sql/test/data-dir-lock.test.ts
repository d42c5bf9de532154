import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLightspeedError } from '@lightspeed/ports';
import { acquireDataDirLock } from '../src/index.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONTENDER = 'packages/store-sql/test/fixtures/lock-contender.ts';

interface Outcome {
  ok: boolean;
  pid: number;
  acquiredAt?: number;
  releasedAt?: number;
  code?: string;
  message?: string;
}

/** A contender process with a queue of the JSON lines it answered. */
class Contender {
  private buffer = '';
  private readonly lines: Outcome[] = [];
  private readonly waiters: ((line: Outcome) => void)[] = [];
  readonly child: ChildProcess;

  constructor() {
    this.child = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', CONTENDER], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = JSON.parse(this.buffer.slice(0, newline)) as Outcome;
        this.buffer = this.buffer.slice(newline + 1);
        const waiter = this.waiters.shift();
        if (waiter) waiter(line);
        else this.lines.push(line);
      }
    });
  }

  next(timeoutMs = 30_000): Promise<Outcome> {
    const queued = this.lines.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`contender ${this.child.pid} did not answer within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }
}

/** Takes the lock in a fresh process that then exits without releasing it, as a crash would. */
async function abandonLock(dir: string): Promise<number> {
  const contender = new Contender();
  await contender.next();
  contender.send(`abandon ${dir}`);
  const outcome = await contender.next();
  await new Promise((resolve) => (contender.child.exitCode !== null ? resolve(undefined) : contender.child.once('exit', resolve)));
  return outcome.pid;
}

function lockedError(run: () => unknown): Error & { code: string; details?: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    if (isLightspeedError(error)) return error;
    throw error;
  }
  throw new Error('expected a locked error');
}

describe('data directory lock', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ls-lock-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('12 processes starting at the same instant', () => {
    const CONTENDERS = 12;
    const TRIALS = 40;
    const HOLD_MS = 300;
    let contenders: Contender[] = [];

    beforeAll(async () => {
      contenders = Array.from({ length: CONTENDERS }, () => new Contender());
      await Promise.all(contenders.map((contender) => contender.next(60_000)));
    }, 120_000);
    afterAll(() => {
      for (const contender of contenders) contender.child.kill('SIGKILL');
    });

    it('never have two holders, on a fresh directory or over a lock a crashed holder left', async () => {
      const overlaps: string[] = [];
      const failures = new Map<string, number>();
      let holders = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        const dir = join(root, `trial-${trial}`);
        // Every fourth trial starts from a lock whose holder died without releasing it.
        if (trial % 4 === 3) await abandonLock(dir);
        for (const contender of contenders) contender.send(`take ${dir} ${HOLD_MS}`);
        const outcomes = await Promise.all(contenders.map((contender) => contender.next()));
        const held = outcomes.filter((outcome) => outcome.ok).sort((a, b) => a.acquiredAt! - b.acquiredAt!);
        holders += held.length;
        expect(held.length, `trial ${trial}: nobody took the lock: ${JSON.stringify(outcomes)}`).toBeGreaterThan(0);
        for (let i = 1; i < held.length; i++) {
          if (held[i]!.acquiredAt! < held[i - 1]!.releasedAt!) overlaps.push(`trial ${trial}: ${held[i - 1]!.pid} and ${held[i]!.pid} held it together`);
        }
        for (const outcome of outcomes.filter((o) => !o.ok)) failures.set(outcome.code ?? outcome.message ?? '?', (failures.get(outcome.code ?? outcome.message ?? '?') ?? 0) + 1);
        expect(existsSync(join(dir, 'lightspeed.lock')), `trial ${trial}: the lock outlived its holders`).toBe(false);
        expect(readdirSync(dir).filter((name) => name !== 'lightspeed.lock'), `trial ${trial}: temporary files left behind`).toEqual([]);
      }
      expect(overlaps).toEqual([]);
      expect([...failures.keys()]).toEqual(['locked']);
      expect(holders).toBeGreaterThanOrEqual(TRIALS);
    }, 300_000);
  });

  it('takes over a lock whose holder died', async () => {
    const dir = join(root, 'dead-holder');
    const pid = await abandonLock(dir);
    expect(JSON.parse(readFileSync(join(dir, 'lightspeed.lock'), 'utf8'))).toMatchObject({ kind: 'lightspeed', pid });
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    // The form older versions wrote (no identity, no token), by the same dead process.
    writeFileSync(lock.path, JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString() }));
    acquireDataDirLock(dir).release();
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('refuses a second holder in the same process', () => {
    const dir = join(root, 'same-process');
    const lock = acquireDataDirLock(dir);
    const error = lockedError(() => acquireDataDirLock(dir));
    expect(error.code).toBe('locked');
    expect(error.message).toContain(`process ${process.pid}`);
    lock.release();
    acquireDataDirLock(dir).release();
  });

  it('treats a live process as the holder unless its start identity proves the pid was reused', () => {
    const dir = join(root, 'reused-pid');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'lightspeed.lock');
    // A live process that is not Lightspeed (the test runner's parent), named by a lock without an identity: no proof it is not the holder.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: new Date().toISOString() }));
    const error = lockedError(() => acquireDataDirLock(dir));
    expect(error.code).toBe('locked');
    expect(error.message).toContain(`process ${process.ppid}`);
    expect(existsSync(path)).toBe(true);
    // The same pid with a start identity that is not the process's own: the pid was reused, the lock is stale.
    writeFileSync(path, JSON.stringify({ kind: 'lightspeed', pid: process.ppid, host: hostname(), identity: 'linux:not-this-boot:1', token: 'x', startedAt: new Date().toISOString() }));
    if (process.platform === 'linux') {
      const lock = acquireDataDirLock(dir);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
      lock.release();
    }
  });

  it('refuses a lock file it cannot read, and leaves it in place', () => {
    const dir = join(root, 'garbage');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'lightspeed.lock');
    writeFileSync(path, '');
    const error = lockedError(() => acquireDataDirLock(dir));
    expect(error.code).toBe('locked');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/delete it/);
    expect(existsSync(path)).toBe(true);
  });

  it('release leaves alone a lock that is no longer its own', () => {
    const dir = join(root, 'not-mine');
    const lock = acquireDataDirLock(dir);
    const other = JSON.stringify({ kind: 'lightspeed', pid: process.ppid, host: hostname(), token: 'someone-else', startedAt: new Date().toISOString() });
    writeFileSync(lock.path, other);
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe(other);
  });
});
