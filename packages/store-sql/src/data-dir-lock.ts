import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { mapDiskFull } from '@lightspeed/cas';
import { LightspeedError } from '@lightspeed/ports';
import { processAlive, processIdentity } from '@lightspeed/process-table';

const LOCK_NAME = 'lightspeed.lock';
const TEMP_PREFIX = `.${LOCK_NAME}.`;
const BREAKER_PREFIX = `${LOCK_NAME}.break-`;

/** What a lock file says about its holder. Old versions wrote only pid, host and startedAt. */
interface LockRecord {
  kind?: 'lightspeed';
  pid: number;
  host: string;
  /** The holder's start identity (see processIdentity); absent where the platform offers none. */
  identity?: string;
  /** Unique per acquisition: tells this lock apart from any earlier one by the same pid. */
  token?: string;
  startedAt: string;
}

interface ObservedLock {
  /** The exact bytes read: a later read with the same bytes is the same acquisition. */
  raw: string;
  record: LockRecord;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

// The tokens this process holds, shared by every copy of this module in the process, so a second
// acquisition in the same process is refused instead of mistaken for a stale lock of our own pid.
const HELD_KEY = Symbol.for('lightspeed.dataDirLock.held');
const held: Set<string> = ((globalThis as Record<symbol, unknown>)[HELD_KEY] as Set<string> | undefined) ?? new Set();
(globalThis as Record<symbol, unknown>)[HELD_KEY] = held;

/**
 * Prevents two processes from writing the same embedded store.
 *
 * The lock file is written whole to a temporary file and then hard-linked to its name: `link`
 * fails atomically if the name exists, so a reader never sees a partial lock (with create-then-write,
 * a concurrent starter read the empty file, took it for stale and deleted it: two holders).
 *
 * A lock is stale only with proof: its pid is dead, or alive with a different start identity (the
 * pid was reused). A live pid without an identity to compare is a holder. An unreadable lock file
 * is refused, never deleted: it cannot be a half-written one of ours. A stale lock is removed under
 * a breaker named after its content, so two starters cannot both remove it and one remove the
 * other's fresh lock in passing.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_NAME);
  removeAbandonedTemps(dataDir);
  const token = randomBytes(12).toString('hex');
  const identity = processIdentity(process.pid);
  const me: LockRecord = { kind: 'lightspeed', pid: process.pid, host: hostname(), ...(identity ? { identity } : {}), token, startedAt: new Date().toISOString() };
  const temp = join(dataDir, `${TEMP_PREFIX}${process.pid}.${token}.tmp`);
  try {
    try {
      writeDurably(temp, JSON.stringify(me));
    } catch (error) {
      throw mapDiskFull(temp, error);
    }
    for (let attempt = 0; attempt < 200; attempt++) {
      if (tryLink(temp, path)) {
        held.add(token);
        return lockHandle(path, token);
      }
      const observed = readLock(path);
      if (observed === 'absent') continue;
      if (observed === 'unreadable') {
        throw new LightspeedError('locked', `${path} exists but is not a Lightspeed lock file it can read; if no Lightspeed process uses ${dataDir}, delete it and retry`, {
          path,
        });
      }
      const holder = judge(dataDir, path, observed.record, me);
      if (holder) throw holder;
      // Stale: remove it (if nobody else is already doing so), then try again.
      if (!removeIfUnchanged(dataDir, path, observed.raw, temp)) pause(5);
    }
    throw new LightspeedError('locked', `could not acquire ${path}: other processes kept taking and releasing it; retry`);
  } finally {
    unlinkQuietly(temp);
  }
}

function lockHandle(path: string, token: string): DataDirLock {
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      held.delete(token);
      // Only our own lock: if it was (wrongly) broken and taken by another process, that lock stays.
      const observed = readLock(path);
      if (observed !== 'absent' && observed !== 'unreadable' && observed.record.token === token) unlinkQuietly(path);
    },
  };
}

/** The `locked` error for a lock that has a holder, or undefined if the lock is provably stale. */
function judge(dataDir: string, path: string, holder: LockRecord, me: LockRecord): LightspeedError | undefined {
  if (holder.host !== me.host) {
    return new LightspeedError('locked', `data directory ${dataDir} is locked by process ${holder.pid} on host ${holder.host}; remove ${path} if that host is gone`, {
      pid: holder.pid,
      host: holder.host,
      path,
    });
  }
  const inUse = (detail: string) =>
    new LightspeedError('locked', `data directory ${dataDir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.startedAt})${detail}; stop it or use another --data-dir`, {
      pid: holder.pid,
      host: holder.host,
      path,
    });
  if (holder.pid === me.pid) {
    if (holder.token !== undefined && held.has(holder.token)) return inUse(' (this process)');
    // Our pid, but not an acquisition of this process: a previous process that had our pid.
    return holder.identity === undefined || holder.identity !== me.identity ? undefined : inUse('');
  }
  if (holderGone(holder)) return undefined;
  return inUse(holder.kind === 'lightspeed' ? '' : `; if process ${holder.pid} is not Lightspeed, delete ${path}`);
}

/**
 * Removes the lock at `path` if it still holds exactly `raw`. Whoever removes a given lock must
 * first create its breaker (`link` again, so only one process can), and re-reads the lock under
 * it: nobody else can remove that lock meanwhile, and its holder is gone, so the re-read content
 * stays until we unlink it. Returns false when another live process is breaking it right now.
 */
function removeIfUnchanged(dataDir: string, path: string, raw: string, temp: string): boolean {
  const breaker = join(dataDir, `${BREAKER_PREFIX}${contentKey(raw)}`);
  if (!tryLink(temp, breaker)) {
    const observed = readLock(breaker);
    if (observed === 'absent') return true;
    if (observed === 'unreadable' || !holderGone(observed.record)) return false;
    // The process breaking this lock died while doing so; break its breaker the same way.
    return removeIfUnchanged(dataDir, breaker, observed.raw, temp);
  }
  try {
    const current = readLock(path);
    if (current !== 'absent' && current !== 'unreadable' && current.raw === raw) unlinkQuietly(path);
  } finally {
    unlinkQuietly(breaker);
  }
  return true;
}

/**
 * Links `from` (complete, fsynced) to `to`; false if `to` exists. On a file system without hard
 * links, creates `to` exclusively and copies the content in: still one holder, but a concurrent
 * reader may then see a partial file and refuse it as unreadable instead of waiting.
 */
function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
  }
  try {
    writeDurably(to, readFileSync(from, 'utf8'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readLock(path: string): ObservedLock | 'absent' | 'unreadable' {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  try {
    const record = JSON.parse(raw) as Partial<LockRecord>;
    if (typeof record.pid !== 'number' || !Number.isInteger(record.pid) || record.pid <= 0 || typeof record.host !== 'string') return 'unreadable';
    return { raw, record: record as LockRecord };
  } catch {
    return 'unreadable';
  }
}

/** Written and fsynced before it is linked: after a power cut the lock is whole or absent, never empty. */
function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Temporary lock files of processes that died between writing and linking them. */
function removeAbandonedTemps(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    if (!name.startsWith(TEMP_PREFIX) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(TEMP_PREFIX.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) unlinkQuietly(join(dataDir, name));
  }
}

function contentKey(raw: string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 32);
}

/** Proof the holder is gone: its pid is dead, or now belongs to a process with another start identity. */
function holderGone(holder: LockRecord): boolean {
  if (!processAlive(holder.pid)) return true;
  if (holder.identity === undefined) return false;
  const current = processIdentity(holder.pid);
  // No identity now: the process exited between the two checks (or /proc is unreadable: then not proof).
  if (current === undefined) return !processAlive(holder.pid);
  return current !== holder.identity;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
