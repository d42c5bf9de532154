import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError } from '@lightspeed/ports';
import { joinSegments, pathSegments, type VfsPath } from './vfs-path.js';
import { DEFAULT_SNAPSHOT_LIMITS, SnapshotLimitError, type SnapshotLimits } from './snapshot-limits.js';
import { EXECUTABLE_FILE_MODE, makeNode, type NodeStore, type TreeEntry } from './tree-node.js';

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
  /** A file's recorded mode (only ever `EXECUTABLE_FILE_MODE`; absent for a regular file). */
  mode?: number;
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

export interface WalkOptions {
  /** Resume strictly after this path in walk order (the last path of a previous page). */
  after?: string;
  /**
   * Bounds on what one walk yields (default: the default snapshot limits). A snapshot that was
   * never measured (a session's snapshot link, say) can still be a DAG that expands to millions of
   * entries; the walk refuses with a `SnapshotLimitError` rather than run for minutes.
   */
  limits?: SnapshotLimits;
}

interface WalkState {
  limits: SnapshotLimits;
  files: number;
  dirs: number;
}

/** Every file and directory beneath `path` (depth-first, names sorted), not including `path` itself. */
export async function* walk(nodes: NodeStore, root: BlobRef, path: string = '/', options: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const start = await lookup(nodes, root, path);
  if (!start) throw new LightspeedError('not_found', `directory ${path} does not exist`, { path });
  if (start.type !== 'dir') return;
  const base = pathSegments(path);
  let after: string[] | undefined;
  if (options.after !== undefined) {
    const afterSegments = pathSegments(options.after);
    if (afterSegments.length <= base.length || base.some((segment, i) => afterSegments[i] !== segment)) {
      throw new LightspeedError('invalid', `cannot resume a walk of ${joinSegments(base)} after ${joinSegments(afterSegments)}: that path is not inside it`, { path });
    }
    after = afterSegments.slice(base.length);
  }
  yield* walkDir(nodes, start.ref, base, after, { limits: options.limits ?? DEFAULT_SNAPSHOT_LIMITS, files: 0, dirs: 0 });
}

async function* walkDir(nodes: NodeStore, ref: BlobRef, segments: string[], after: string[] | undefined, state: WalkState): AsyncGenerator<WalkEntry> {
  const node = await nodes.get(ref);
  if (segments.length + 1 > state.limits.maxDepth && Object.keys(node.entries).length > 0) {
    throw new SnapshotLimitError('maxDepth', state.limits.maxDepth, segments.length + 1);
  }
  for (const name of Object.keys(node.entries).sort()) {
    // Resuming: names before the cursor's segment were on earlier pages; the cursor's own entry
    // was too, but a directory's contents come after it, so the walk descends into it.
    const resume = after?.[0];
    if (resume !== undefined && name < resume) continue;
    const resumeHere = resume !== undefined && name === resume;
    const child = node.entries[name]!;
    const childSegments = [...segments, name];
    const childPath = joinSegments(childSegments);
    if (child.type === 'file') {
      if (resumeHere) continue;
      if (++state.files > state.limits.maxFiles) throw new SnapshotLimitError('maxFiles', state.limits.maxFiles, state.files);
      yield { path: childPath, type: 'file', ref: child.ref, size: child.size, ...(child.mode === EXECUTABLE_FILE_MODE ? { mode: child.mode } : {}) };
    } else {
      if (!resumeHere) {
        if (++state.dirs > state.limits.maxDirectories) throw new SnapshotLimitError('maxDirectories', state.limits.maxDirectories, state.dirs);
        yield { path: childPath, type: 'dir', ref: child.ref, size: 0 };
      }
      yield* walkDir(nodes, child.ref, childSegments, resumeHere && after!.length > 1 ? after!.slice(1) : undefined, state);
    }
    // Past the cursor's segment at this level, everything follows it.
    after = undefined;
  }
}
