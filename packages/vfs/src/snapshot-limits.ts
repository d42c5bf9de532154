import { LightspeedError } from '@lightspeed/ports';

/**
 * What one snapshot may hold once expanded. Tree nodes are content-addressed, so a node may be
 * referenced many times: 24 uploaded nodes can describe millions of files. Every snapshot that
 * becomes a root or a head is measured against these bounds (see docs/0019-vfs-snapshot-bounds.md).
 */
export interface SnapshotLimits {
  /** Files, counting each path (a subtree referenced twice counts twice). */
  maxFiles: number;
  /** Directories beneath the root, counted like files. */
  maxDirectories: number;
  /** Path segments of the deepest entry (`/a/b.txt` is 2). */
  maxDepth: number;
  /** Sum of the sizes of all files. */
  maxBytes: number;
}

/**
 * Sized for real repositories with room to spare (the Linux kernel is under 100k files in under
 * 10k directories, and no real tree nests near 64 levels) while keeping one snapshot's manifest,
 * measure and materialization to seconds. Servers with bigger trees pass their own limits.
 */
export const DEFAULT_SNAPSHOT_LIMITS: Readonly<SnapshotLimits> = Object.freeze({
  maxFiles: 200_000,
  maxDirectories: 100_000,
  maxDepth: 64,
  maxBytes: 10 * 1024 ** 3,
});

/** The expanded size of a directory's subtree (or of a whole snapshot, for its root). */
export interface SnapshotTotals {
  files: number;
  /** Directories beneath (not counting the directory itself). */
  dirs: number;
  bytes: number;
  /** Path segments of the deepest entry beneath; 0 for an empty directory. */
  depth: number;
}

export const EMPTY_TOTALS: Readonly<SnapshotTotals> = Object.freeze({ files: 0, dirs: 0, bytes: 0, depth: 0 });

/** Adds a file of `size` bytes to a directory's running totals. */
export function addFile(into: SnapshotTotals, size: number): void {
  into.files += 1;
  into.bytes += size;
  if (into.depth < 1) into.depth = 1;
}

/** Adds a subdirectory whose own subtree measures `child` to a directory's running totals. */
export function addDirectory(into: SnapshotTotals, child: SnapshotTotals): void {
  into.files += child.files;
  into.dirs += 1 + child.dirs;
  into.bytes += child.bytes;
  if (into.depth < child.depth + 1) into.depth = child.depth + 1;
}

export function sameTotals(a: SnapshotTotals, b: SnapshotTotals): boolean {
  return a.files === b.files && a.dirs === b.dirs && a.bytes === b.bytes && a.depth === b.depth;
}

export type SnapshotLimitName = keyof SnapshotLimits;

/** A snapshot over one of the limits; `actual` is what was counted when the check stopped. */
export class SnapshotLimitError extends LightspeedError {
  constructor(
    readonly limit: SnapshotLimitName,
    readonly max: number,
    readonly actual: number,
  ) {
    super('invalid', `${describe(limit, max, actual)}; split the tree into several snapshots or leave generated files out (.gitignore), see docs/0019-vfs-snapshot-bounds.md`, {
      limit,
      max,
      actual,
    });
    this.name = 'SnapshotLimitError';
  }
}

function describe(limit: SnapshotLimitName, max: number, actual: number): string {
  switch (limit) {
    case 'maxFiles':
      return `the snapshot holds at least ${actual} files, over the limit of ${max} files per snapshot (maxFiles)`;
    case 'maxDirectories':
      return `the snapshot holds at least ${actual} directories, over the limit of ${max} per snapshot (maxDirectories)`;
    case 'maxDepth':
      return `the snapshot nests at least ${actual} levels deep, over the limit of ${max} levels (maxDepth)`;
    case 'maxBytes':
      return `the snapshot holds at least ${actual} bytes of files, over the limit of ${max} bytes per snapshot (maxBytes)`;
  }
}

/** Throws the first limit `totals` exceeds (checked as totals grow, so a bomb stops early). */
export function checkTotals(totals: SnapshotTotals, limits: SnapshotLimits): void {
  if (totals.files > limits.maxFiles) throw new SnapshotLimitError('maxFiles', limits.maxFiles, totals.files);
  if (totals.dirs > limits.maxDirectories) throw new SnapshotLimitError('maxDirectories', limits.maxDirectories, totals.dirs);
  if (totals.depth > limits.maxDepth) throw new SnapshotLimitError('maxDepth', limits.maxDepth, totals.depth);
  if (totals.bytes > limits.maxBytes) throw new SnapshotLimitError('maxBytes', limits.maxBytes, totals.bytes);
}
