import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError } from '@lightspeed/ports';
import { joinSegments, pathSegments, type VfsPath } from './vfs-path.js';
import { makeNode, type NodeStore, type TreeEntry } from './tree-node.js';

export interface PathStat {
  path: VfsPath;
  type: 'file' | 'dir';
  ref: BlobRef;
  /** File size in bytes; for a directory, the number of entries. */
  size: number;
  mode?: number;
}

export interface ListEntry {
  name: string;
  type: 'file' | 'dir';
  size?: number;
}

export interface WalkEntry {
  path: VfsPath;
  type: 'file' | 'dir';
  ref: BlobRef;
  size: number;
}

/** The ref of the empty directory, the root of an empty snapshot. */
export async function emptySnapshot(nodes: NodeStore): Promise<BlobRef> {
  return nodes.put(makeNode({}));
}

/** The entry at `path` (the root is a directory entry), or undefined when nothing is there. */
export async function lookup(nodes: NodeStore, root: BlobRef, path: string): Promise<TreeEntry | undefined> {
  let entry: TreeEntry = { type: 'dir', ref: root };
  for (const segment of pathSegments(path)) {
    if (entry.type !== 'dir') return undefined;
    const node = await nodes.get(entry.ref);
    const next: TreeEntry | undefined = Object.hasOwn(node.entries, segment) ? node.entries[segment] : undefined;
    if (!next) return undefined;
    entry = next;
  }
  return entry;
}

export async function stat(nodes: NodeStore, root: BlobRef, path: string): Promise<PathStat | undefined> {
  const entry = await lookup(nodes, root, path);
  if (!entry) return undefined;
  const normalised = joinSegments(pathSegments(path));
  if (entry.type === 'file') {
    const out: PathStat = { path: normalised, type: 'file', ref: entry.ref, size: entry.size };
    if (entry.mode !== undefined) out.mode = entry.mode;
    return out;
  }
  const node = await nodes.get(entry.ref);
  return { path: normalised, type: 'dir', ref: entry.ref, size: Object.keys(node.entries).length };
}

/** The bytes of the file at `path`; `not_found` if absent, `invalid` if it is a directory. */
export async function readFile(nodes: NodeStore, root: BlobRef, path: string): Promise<Uint8Array> {
  const entry = await lookup(nodes, root, path);
  if (!entry) throw new LightspeedError('not_found', `file ${path} does not exist`, { path });
  if (entry.type !== 'file') throw new LightspeedError('invalid', `${path} is a directory, not a file; list it instead`, { path });
  const bytes = await nodes.blobs.get(entry.ref);
  if (bytes === undefined) throw new LightspeedError('not_found', `the content of ${path} (${entry.ref}) is missing from the store`, { path, ref: entry.ref });
  return bytes;
}

/** Entries of the directory at `path`, sorted by name. */
export async function list(nodes: NodeStore, root: BlobRef, path: string): Promise<ListEntry[]> {
  const entry = await lookup(nodes, root, path);
  if (!entry) throw new LightspeedError('not_found', `directory ${path} does not exist`, { path });
  if (entry.type !== 'dir') throw new LightspeedError('invalid', `${path} is a file, not a directory`, { path });
  const node = await nodes.get(entry.ref);
  return Object.keys(node.entries)
    .sort()
    .map((name) => {
      const child = node.entries[name]!;
      return child.type === 'file' ? { name, type: 'file' as const, size: child.size } : { name, type: 'dir' as const };
    });
}

/** Every file and directory beneath `path` (depth-first, names sorted), not including `path` itself. */
export async function* walk(nodes: NodeStore, root: BlobRef, path: string = '/'): AsyncGenerator<WalkEntry> {
  const start = await lookup(nodes, root, path);
  if (!start) throw new LightspeedError('not_found', `directory ${path} does not exist`, { path });
  if (start.type !== 'dir') return;
  yield* walkDir(nodes, start.ref, pathSegments(path));
}

async function* walkDir(nodes: NodeStore, ref: BlobRef, segments: string[]): AsyncGenerator<WalkEntry> {
  const node = await nodes.get(ref);
  for (const name of Object.keys(node.entries).sort()) {
    const child = node.entries[name]!;
    const childSegments = [...segments, name];
    const childPath = joinSegments(childSegments);
    if (child.type === 'file') {
      yield { path: childPath, type: 'file', ref: child.ref, size: child.size };
    } else {
      yield { path: childPath, type: 'dir', ref: child.ref, size: 0 };
      yield* walkDir(nodes, child.ref, childSegments);
    }
  }
}

/** File count and total bytes of a snapshot (walks the whole tree). */
export async function summarize(nodes: NodeStore, root: BlobRef): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for await (const entry of walk(nodes, root)) {
    if (entry.type === 'file') {
      files += 1;
      bytes += entry.size;
    }
  }
  return { files, bytes };
}
