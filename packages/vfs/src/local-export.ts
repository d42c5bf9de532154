import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';
import { NodeStore } from './tree-node.js';

export interface ExportOptions {
  /** Remove files and directories in the destination that the snapshot does not contain (never `.git`). */
  prune?: boolean;
}

export interface ExportResult {
  written: string[];
  unchanged: number;
  removed: string[];
}

/**
 * Writes a snapshot into a local directory, touching only files whose content differs. Refuses to
 * write through a symlink or to a name that could escape the destination (a crafted tree node may
 * hold `..` or `a/b` as an entry name).
 */
export async function exportSnapshot(blobs: BlobStore, rootRef: BlobRef, destDir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const nodes = new NodeStore(blobs);
  const dest = resolve(destDir);
  const result: ExportResult = { written: [], unchanged: 0, removed: [] };
  await mkdir(dest, { recursive: true });
  if ((await lstat(dest)).isSymbolicLink()) throw symlinkRefused(dest);

  const exportDir = async (ref: BlobRef, abs: string, rel: string): Promise<void> => {
    const node = await nodes.get(ref);
    const names = Object.keys(node.entries).sort();
    for (const name of names) {
      assertSafeName(name, rel);
      const entry = node.entries[name]!;
      const childAbs = join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (!childAbs.startsWith(dest + sep)) throw escapeRefused(childRel);
      const existing = await lstat(childAbs).catch(() => undefined);
      if (existing?.isSymbolicLink()) throw symlinkRefused(childRel);
      if (entry.type === 'dir') {
        if (existing && !existing.isDirectory()) await rm(childAbs, { force: true });
        if (!existing?.isDirectory()) await mkdir(childAbs);
        await exportDir(entry.ref, childAbs, childRel);
        continue;
      }
      if (existing?.isDirectory()) await rm(childAbs, { recursive: true, force: true });
      else if (existing?.isFile() && existing.size === entry.size) {
        const digest = `sha256:${createHash('sha256').update(await readFile(childAbs)).digest('hex')}`;
        if (digest === entry.ref) {
          result.unchanged += 1;
          continue;
        }
      }
      const bytes = await blobs.get(entry.ref);
      if (bytes === undefined) throw new LightspeedError('not_found', `the content of ${childRel} (${entry.ref}) is missing from the store`, { path: childRel });
      await writeFile(childAbs, bytes);
      if (entry.mode !== undefined) await chmod(childAbs, entry.mode);
      result.written.push(childRel);
    }
    if (options.prune) {
      const keep = new Set(names);
      for (const dirent of await readdir(abs, { withFileTypes: true })) {
        if (keep.has(dirent.name) || (rel === '' && dirent.name === '.git')) continue;
        await rm(join(abs, dirent.name), { recursive: true, force: true });
        result.removed.push(rel === '' ? dirent.name : `${rel}/${dirent.name}`);
      }
    }
  };
  await exportDir(rootRef, dest, '');
  return result;
}

function assertSafeName(name: string, rel: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\') || name.includes('\0')) {
    throw escapeRefused(rel === '' ? name : `${rel}/${name}`);
  }
}

function escapeRefused(rel: string): LightspeedError {
  return new LightspeedError('forbidden', `refusing to export ${JSON.stringify(rel)}: the name would escape the destination directory`, { path: rel });
}

function symlinkRefused(rel: string): LightspeedError {
  return new LightspeedError('forbidden', `refusing to export through the symlink ${rel}; remove it or export to a clean directory`, { path: rel });
}
