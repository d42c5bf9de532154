import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A real, small file system: writes on it fail with the kernel's own ENOSPC once it is full. */
export interface SmallFilesystem {
  /** Where it is mounted. */
  path: string;
  /** Takes all free space but `leaveBytes` (with one filler file outside anything under test). */
  fill(leaveBytes?: number): Promise<void>;
  /** Gives the filled space back. */
  unfill(): Promise<void>;
  unmount(): Promise<void>;
}

/**
 * Mounts a tmpfs of `bytes` in a fresh temp directory. Needs root (or CAP_SYS_ADMIN), as the test
 * machines and CI have; elsewhere this fails loudly rather than skipping, so a full-disk test never
 * passes without having filled a disk.
 */
export async function mountSmallFilesystem(bytes: number): Promise<SmallFilesystem> {
  const path = await mkdtemp(join(tmpdir(), 'ls-small-fs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', path]);
  } catch (error) {
    await rmdir(path).catch(() => undefined);
    throw new Error(`cannot mount a ${bytes}-byte tmpfs at ${path} (needs root or CAP_SYS_ADMIN): ${(error as Error).message}`);
  }
  const filler = join(path, '.filler');
  return {
    path,
    async fill(leaveBytes = 0) {
      const stats = await statfs(path);
      const take = stats.bavail * stats.bsize - leaveBytes;
      if (take <= 0) return;
      const handle = await open(filler, 'a');
      try {
        const chunk = Buffer.alloc(Math.min(take, 1 << 20));
        for (let written = 0; written < take; written += chunk.length) await handle.write(chunk, 0, Math.min(chunk.length, take - written));
      } finally {
        await handle.close();
      }
    },
    async unfill() {
      await rm(filler, { force: true });
    },
    async unmount() {
      // Lazy: a test that failed may still hold files open; the mount goes once they close.
      await run('umount', ['-l', path]).catch(() => undefined);
      await rmdir(path).catch(() => undefined);
    },
  };
}
