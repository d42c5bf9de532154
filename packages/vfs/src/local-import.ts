import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';
import { GitignoreStack } from './gitignore-stack.js';
import { addDirectory, addFile, checkTotals, DEFAULT_SNAPSHOT_LIMITS, SnapshotLimitError, type SnapshotLimits, type SnapshotTotals } from './snapshot-limits.js';
import { EXECUTABLE_FILE_MODE, makeNode, NodeStore, type FileEntry, type TreeEntry } from './tree-node.js';

export interface ImportProgress {
  phase: 'scan' | 'upload' | 'done';
  filesTotal: number;
  filesDone: number;
  bytesDone: number;
}

export interface ImportOptions {
  onProgress?: (progress: ImportProgress) => void;
  /** Files read and uploaded concurrently. */
  concurrency?: number;
  /** Refuse a single file larger than this (bytes). */
  maxFileBytes?: number;
  /** Refuse a tree the server would refuse, before uploading anything (default: the default limits). */
  limits?: SnapshotLimits;
}

export interface ImportResult {
  rootRef: BlobRef;
  files: number;
  bytes: number;
  /** Blobs actually uploaded (missing from the store); the rest were already there. */
  uploaded: number;
  /** Symlinks and special files that were not imported. */
  skipped: string[];
}

interface ScannedFile {
  rel: string;
  abs: string;
  dir: ScannedDir;
  name: string;
}

interface ScannedDir {
  rel: string;
  files: ScannedFile[];
  dirs: Map<string, ScannedDir>;
  entries: Record<string, TreeEntry>;
}

/**
 * Turns a local directory into a snapshot. Honours `.gitignore` files at every level, skips `.git`,
 * does not follow symlinks (they are reported in `skipped`), and uploads only blobs the store does
 * not already hold.
 */
export async function importDirectory(blobs: BlobStore, rootDir: string, options: ImportOptions = {}): Promise<ImportResult> {
  const nodes = new NodeStore(blobs);
  const skipped: string[] = [];
  const files: ScannedFile[] = [];
  const progress: ImportProgress = { phase: 'scan', filesTotal: 0, filesDone: 0, bytesDone: 0 };
  const limits = options.limits ?? DEFAULT_SNAPSHOT_LIMITS;

  const rootInfo = await stat(rootDir).catch(() => undefined);
  if (!rootInfo?.isDirectory()) throw new LightspeedError('not_found', `${rootDir} is not a directory`, { path: rootDir });

  const scan = async (abs: string, rel: string, rules: GitignoreStack): Promise<ScannedDir> => {
    const dir: ScannedDir = { rel, files: [], dirs: new Map(), entries: {} };
    const here = await rules.enter(abs, rel);
    const dirents = await readdir(abs, { withFileTypes: true });
    for (const dirent of dirents) {
      const name = dirent.name;
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (dirent.isDirectory()) {
        if (name === '.git' || here.ignores(childRel, true)) continue;
        dir.dirs.set(name, await scan(join(abs, name), childRel, here));
      } else if (dirent.isFile()) {
        if (here.ignores(childRel, false)) continue;
        const file: ScannedFile = { rel: childRel, abs: join(abs, name), dir, name };
        dir.files.push(file);
        files.push(file);
        if (files.length > limits.maxFiles) throw new SnapshotLimitError('maxFiles', limits.maxFiles, files.length);
      } else if (!here.ignores(childRel, dirent.isDirectory())) {
        skipped.push(childRel);
      }
    }
    return dir;
  };
  const root = await scan(rootDir, '', GitignoreStack.empty());
  checkTotals(shapeOf(root), limits);
  progress.filesTotal = files.length;
  options.onProgress?.({ ...progress });

  progress.phase = 'upload';
  let uploaded = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      const [bytes, info] = await Promise.all([readFile(file.abs), stat(file.abs)]);
      if (options.maxFileBytes !== undefined && bytes.byteLength > options.maxFileBytes) {
        throw new LightspeedError('too_large', `${file.rel} is ${bytes.byteLength} bytes, above the import limit of ${options.maxFileBytes}`, { path: file.rel });
      }
      const ref: BlobRef = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      if (!(await blobs.has(ref))) {
        await blobs.put(bytes);
        uploaded += 1;
      }
      const entry: TreeEntry = { type: 'file', ref, size: bytes.byteLength };
      if ((info.mode & 0o111) !== 0) entry.mode = EXECUTABLE_FILE_MODE;
      file.dir.entries[file.name] = entry;
      progress.filesDone += 1;
      progress.bytesDone += bytes.byteLength;
      if (progress.bytesDone > limits.maxBytes) throw new SnapshotLimitError('maxBytes', limits.maxBytes, progress.bytesDone);
      if (options.onProgress && (progress.filesDone % 100 === 0 || progress.filesDone === files.length)) options.onProgress({ ...progress });
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? 32);
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));

  // Each directory records its subtree's totals in its parent, as the server's commits do, so
  // the snapshot has the same ref whichever side built it and its size can be read from its root.
  const build = async (dir: ScannedDir): Promise<{ ref: BlobRef; totals: SnapshotTotals }> => {
    const totals: SnapshotTotals = { files: 0, dirs: 0, bytes: 0, depth: 0 };
    for (const file of dir.files) addFile(totals, (dir.entries[file.name] as FileEntry).size);
    for (const [name, child] of dir.dirs) {
      const built = await build(child);
      dir.entries[name] = { type: 'dir', ref: built.ref, totals: built.totals };
      addDirectory(totals, built.totals);
    }
    return { ref: await nodes.put(makeNode(dir.entries)), totals };
  };
  const { ref: rootRef, totals } = await build(root);
  checkTotals(totals, limits);
  progress.phase = 'done';
  options.onProgress?.({ ...progress });
  return { rootRef, files: files.length, bytes: progress.bytesDone, uploaded, skipped };
}

/** Files, directories and depth of a scanned tree (bytes are not known before reading). */
function shapeOf(dir: ScannedDir): SnapshotTotals {
  const totals: SnapshotTotals = { files: dir.files.length, dirs: 0, bytes: 0, depth: dir.files.length > 0 ? 1 : 0 };
  for (const child of dir.dirs.values()) addDirectory(totals, shapeOf(child));
  return totals;
}
