import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';
import type { SnapshotLimits } from './snapshot-limits.js';
import { SnapshotMeter } from './snapshot-meter.js';
import { DIRECTORY_MODE, EXECUTABLE_FILE_MODE, isValidEntryName, NodeStore, REGULAR_FILE_MODE, type FileEntry } from './tree-node.js';

export interface ExportOptions {
  /** Remove files and directories in the destination that the snapshot does not contain (never `.git`). */
  prune?: boolean;
  /** Refuse a snapshot over these bounds before writing anything (default: the default limits). */
  limits?: SnapshotLimits;
}

export interface ExportResult {
  written: string[];
  unchanged: number;
  removed: string[];
}

/**
 * Writes a snapshot into a local directory, touching only files whose content or mode differs.
 *
 * The snapshot may come from anyone who could upload a tree node, so before anything is written
 * every node is measured: well-formed (names without `/`, `..` or NUL, sizes non-negative, modes
 * only 0644 or 0755) and within the snapshot limits. Files are then written as exactly 0644 or
 * 0755 (never setuid, setgid or world-writable, whatever the node says), directories as 0755, and
 * each file's length must match its entry. Nothing is written through a symlink: an existing one
 * is refused, none is ever created, and each file is written to a fresh temporary name and renamed
 * into place, so a symlink or hard link at the destination is replaced, never followed.
 */
export async function exportSnapshot(blobs: BlobStore, rootRef: BlobRef, destDir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const nodes = new NodeStore(blobs);
  await new SnapshotMeter(nodes, options.limits).measure(rootRef);
  const dest = resolve(destDir);
  const result: ExportResult = { written: [], unchanged: 0, removed: [] };
  await mkdir(dest, { recursive: true, mode: DIRECTORY_MODE });
  if ((await lstat(dest)).isSymbolicLink()) throw symlinkRefused(dest);

  const exportDir = async (ref: BlobRef, abs: string, rel: string): Promise<void> => {
    const node = await nodes.get(ref);
    const names = Object.keys(node.entries).sort();
    for (const name of names) {
      // The decoder refuses such names already; kept so a change there cannot open a hole here.
      if (!isValidEntryName(name)) throw escapeRefused(rel === '' ? name : `${rel}/${name}`);
      const entry = node.entries[name]!;
      const childAbs = join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (!childAbs.startsWith(dest + sep)) throw escapeRefused(childRel);
      const existing = await lstat(childAbs).catch(() => undefined);
      if (existing?.isSymbolicLink()) throw symlinkRefused(childRel);
      if (entry.type === 'dir') {
        if (existing && !existing.isDirectory()) await rm(childAbs, { force: true });
        if (!existing?.isDirectory()) await mkdir(childAbs, { mode: DIRECTORY_MODE });
        await exportDir(entry.ref, childAbs, childRel);
        continue;
      }
      const mode = entry.mode === EXECUTABLE_FILE_MODE ? EXECUTABLE_FILE_MODE : REGULAR_FILE_MODE;
      if (existing?.isDirectory()) await rm(childAbs, { recursive: true, force: true });
      else if (existing?.isFile() && existing.size === entry.size && (existing.mode & 0o7777) === mode && (await digestOf(childAbs)) === entry.ref) {
        result.unchanged += 1;
        continue;
      }
      await writeFileAtomically(abs, childAbs, await bodyOf(blobs, entry, childRel), mode);
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

async function bodyOf(blobs: BlobStore, entry: FileEntry, rel: string): Promise<Uint8Array> {
  const bytes = await blobs.get(entry.ref);
  if (bytes === undefined) throw new LightspeedError('not_found', `the content of ${rel} (${entry.ref}) is missing from the store`, { path: rel });
  if (bytes.byteLength !== entry.size) {
    throw new LightspeedError('invalid', `the snapshot says ${rel} is ${entry.size} bytes but its content ${entry.ref} is ${bytes.byteLength} bytes; the tree node is wrong, rebuild the snapshot`, {
      path: rel,
    });
  }
  return bytes;
}

/** The ref of a local regular file, read without following a symlink swapped in since `lstat`. */
async function digestOf(abs: string): Promise<string> {
  const bytes = await readFile(abs, { flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Writes `bytes` to a new file beside `target` (O_EXCL | O_NOFOLLOW: never an existing file or a
 * link), sets the mode explicitly (so the umask cannot widen or narrow it), then renames it over
 * `target`. Rename replaces a link rather than following it, and breaks a hard link to a file
 * outside the destination instead of writing through it.
 */
async function writeFileAtomically(dir: string, target: string, bytes: Uint8Array, mode: number): Promise<void> {
  const temp = join(dir, `.lightspeed-${randomUUID()}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    await handle.writeFile(bytes);
    await handle.chmod(mode);
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

function escapeRefused(rel: string): LightspeedError {
  return new LightspeedError('forbidden', `refusing to export ${JSON.stringify(rel)}: the name would escape the destination directory`, { path: rel });
}

function symlinkRefused(rel: string): LightspeedError {
  return new LightspeedError('forbidden', `refusing to export through the symlink ${rel}; remove it or export to a clean directory`, { path: rel });
}
