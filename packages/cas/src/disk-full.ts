import { statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DiskFullError, isDiskFullFailure } from '@lightspeed/ports';

/**
 * Below this much free space a failure without an errno of its own (PGlite's WASM aborts on a
 * failed write with a bare `Aborted()` or a thrown number) is taken to be the disk filling up:
 * PostgreSQL writes in segments and pages of up to megabytes, so "a few hundred KiB left" is full.
 */
export const NEARLY_FULL_BYTES = 16 * 1024 * 1024;

/** The nearest existing ancestor of `path` (itself if it exists). */
function existingAncestor(path: string): string {
  let current = resolve(path);
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** Where the file system holding `path` is mounted: the topmost ancestor on the same device. */
export function mountPointOf(path: string): string {
  let current = existingAncestor(path);
  try {
    const device = statSync(current).dev;
    for (;;) {
      const parent = dirname(current);
      if (parent === current || statSync(parent).dev !== device) return current;
      current = parent;
    }
  } catch {
    return current;
  }
}

/** Bytes an unprivileged writer can still use on the file system holding `path`, if the platform says. */
export function freeBytes(path: string): number | undefined {
  try {
    const stats = statfsSync(existingAncestor(path));
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

export function isNearlyFull(path: string): boolean {
  const free = freeBytes(path);
  return free !== undefined && free < NEARLY_FULL_BYTES;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The DiskFullError for a failed write to `path`: names the file system and how much is free. */
export function diskFullError(path: string, cause: unknown): DiskFullError {
  if (cause instanceof DiskFullError) return cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reason = code === 'EDQUOT' ? 'EDQUOT, disk quota exceeded' : isDiskFullFailure(cause) ? 'ENOSPC, no space left on device' : 'the file system is full';
  const mount = mountPointOf(path);
  const free = freeBytes(path);
  const left = free === undefined ? '' : ` (${formatBytes(free)} free of it now)`;
  const advice = code === 'EDQUOT' ? `raise your quota or free space on ${mount}, then retry` : `free space on ${mount}${left}, then retry`;
  return new DiskFullError(path, reason, advice);
}

/** Rethrows a failed write to `path` as a DiskFullError when the disk is what failed; other errors as they are. */
export function mapDiskFull(path: string, error: unknown): unknown {
  return isDiskFullFailure(error) ? diskFullError(path, error) : error;
}
