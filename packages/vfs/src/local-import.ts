import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';
import { GitignoreStack } from './gitignore-stack.js';
import { makeNode, NodeStore, type TreeEntry } from './tree-node.js';

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
      } else if (!here.ignores(childRel, dirent.isDirectory())) {
        skipped.push(childRel);
      }
    }
    return dir;
  };
  const root = await scan(rootDir, '', GitignoreStack.empty());
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
      if ((info.mode & 0o111) !== 0) entry.mode = 0o755;
      file.dir.entries[file.name] = entry;
      progress.filesDone += 1;
      progress.bytesDone += bytes.byteLength;
      if (options.onProgress && (progress.filesDone % 100 === 0 || progress.filesDone === files.length)) options.onProgress({ ...progress });
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? 32);
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));

  const build = async (dir: ScannedDir): Promise<BlobRef> => {
    for (const [name, child] of dir.dirs) dir.entries[name] = { type: 'dir', ref: await build(child) };
    return nodes.put(makeNode(dir.entries));
  };
  const rootRef = await build(root);
  progress.phase = 'done';
  options.onProgress?.({ ...progress });
  return { rootRef, files: files.length, bytes: progress.bytesDone, uploaded, skipped };
}
