import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LightspeedError } from '@lightspeed/ports';

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/**
 * Prevents two processes from writing the same embedded store. The lock file holds the owner's pid;
 * a lock left by a dead process on this host is taken over, a live holder is a `locked` error that
 * names it.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'lightspeed.lock');
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      if (holder && holder.pid !== process.pid && holder.host === me.host && isAlive(holder.pid)) {
        throw new LightspeedError(
          'locked',
          `data directory ${dataDir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.startedAt}); stop it or use another --data-dir`,
          { pid: holder.pid, host: holder.host },
        );
      }
      if (holder && holder.host !== me.host) {
        throw new LightspeedError('locked', `data directory ${dataDir} is locked by process ${holder.pid} on host ${holder.host}; remove ${path} if that host is gone`, {
          pid: holder.pid,
          host: holder.host,
        });
      }
      // Stale lock from a dead process (or our own pid after a crash-restart in the same pid): take it over.
      rmSync(path, { force: true });
    }
  }
  throw new LightspeedError('locked', `could not acquire ${path}`);
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
