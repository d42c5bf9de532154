import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError } from '@lightspeed/ports';
import { addDirectory, addFile, checkTotals, SnapshotLimitError, type SnapshotTotals } from './snapshot-limits.js';
import { SnapshotMeter } from './snapshot-meter.js';
import { joinSegments, pathSegments } from './vfs-path.js';
import { EXECUTABLE_FILE_MODE, makeNode, REGULAR_FILE_MODE, type NodeStore, type TreeEntry } from './tree-node.js';

/** One change of a batch commit. Paths are VFS paths; a write creates missing parent directories. */
export type TreeChange =
  | { op: 'write'; path: string; content: Uint8Array; mode?: number }
  | { op: 'writeRef'; path: string; ref: BlobRef; size: number; mode?: number }
  | { op: 'delete'; path: string; /** Succeed when nothing is there. */ missingOk?: boolean }
  | { op: 'mkdir'; path: string };

/** A directory being edited: its entries are copied from the stored node on first touch. */
interface EditingDir {
  entries: Record<string, TreeEntry>;
  children: Map<string, EditingDir>;
}

export interface CommitOptions {
  /**
   * Measures untouched subtrees and enforces the limits (default: the default limits, no shared
   * cache). `root` must be a measured snapshot (a head, or one this process built): the `totals`
   * of the entries it keeps are trusted, so a commit costs its changed paths, not the whole tree.
   */
  meter?: SnapshotMeter;
}

/**
 * Applies changes to the snapshot at `root` and returns the new root. Only the directories on the
 * changed paths are read and rewritten; every other subtree keeps its ref. All changes are applied
 * in memory first, so a failing change leaves the store with no new root (file blobs already put
 * are harmless: content-addressed and unreferenced). A result over the snapshot limits is refused
 * with a `SnapshotLimitError` before its root is written.
 */
export async function commitChanges(nodes: NodeStore, root: BlobRef, changes: readonly TreeChange[], options: CommitOptions = {}): Promise<BlobRef> {
  if (changes.length === 0) return root;
  const meter = options.meter ?? new SnapshotMeter(nodes);
  const top: EditingDir = { entries: { ...(await nodes.get(root)).entries }, children: new Map() };

  const dirAt = async (segments: readonly string[], create: boolean, path: string): Promise<EditingDir | undefined> => {
    let dir = top;
    for (let i = 0; i < segments.length; i++) {
      const name = segments[i]!;
      let child = dir.children.get(name);
      if (!child) {
        const entry = Object.hasOwn(dir.entries, name) ? dir.entries[name] : undefined;
        if (entry && entry.type === 'file') {
          throw new LightspeedError('invalid', `${joinSegments(segments.slice(0, i + 1))} is a file, so ${path} cannot be inside it`, { path });
        }
        if (!entry && !create) return undefined;
        child = { entries: entry ? { ...(await nodes.get(entry.ref)).entries } : {}, children: new Map() };
        dir.children.set(name, child);
      }
      dir = child;
    }
    return dir;
  };

  for (const change of changes) {
    const segments = pathSegments(change.path);
    const path = joinSegments(segments);
    if (segments.length > meter.limits.maxDepth) throw new SnapshotLimitError('maxDepth', meter.limits.maxDepth, segments.length);
    if (change.op === 'mkdir') {
      await dirAt(segments, true, path);
      continue;
    }
    const name = segments.pop();
    if (name === undefined) throw new LightspeedError('invalid', `cannot ${change.op} the root directory`, { path });
    if (change.op === 'delete') {
      const parent = await dirAt(segments, false, path);
      if (!parent || !Object.hasOwn(parent.entries, name)) {
        if (change.missingOk) continue;
        throw new LightspeedError('not_found', `${path} does not exist`, { path });
      }
      delete parent.entries[name];
      parent.children.delete(name);
      continue;
    }
    const parent = (await dirAt(segments, true, path))!;
    if (parent.children.has(name) || parent.entries[name]?.type === 'dir') {
      throw new LightspeedError('invalid', `${path} is a directory; a file cannot replace it`, { path });
    }
    if (change.op === 'writeRef' && !(await nodes.blobs.has(change.ref))) {
      throw new LightspeedError('not_found', `cannot link ${path} to ${change.ref}: the blob is not in this store; upload it first`, { path, ref: change.ref });
    }
    if (change.op === 'writeRef' && !(Number.isSafeInteger(change.size) && change.size >= 0)) {
      throw new LightspeedError('invalid', `cannot link ${path} with size ${change.size}: a size is a non-negative integer`, { path });
    }
    const entry: TreeEntry =
      change.op === 'write'
        ? { type: 'file', ref: (await nodes.blobs.put(change.content)).ref, size: change.content.byteLength }
        : { type: 'file', ref: change.ref, size: change.size };
    const mode = fileMode(change.mode, path);
    if (mode !== undefined) entry.mode = mode;
    parent.entries[name] = entry;
  }

  const { ref } = await flush(nodes, meter, top);
  return ref;
}

/** Only an executable bit survives into a snapshot; a regular file records no mode at all. */
function fileMode(mode: number | undefined, path: string): number | undefined {
  if (mode === undefined || mode === REGULAR_FILE_MODE) return undefined;
  if (mode === EXECUTABLE_FILE_MODE) return mode;
  throw new LightspeedError('invalid', `cannot write ${path} with mode 0${mode.toString(8)}: a file is either 0644 (regular) or 0755 (executable)`, { path });
}

/** Writes the edited directories bottom-up, recording each one's totals in its parent's entry. */
async function flush(nodes: NodeStore, meter: SnapshotMeter, dir: EditingDir): Promise<{ ref: BlobRef; totals: SnapshotTotals }> {
  for (const [name, child] of dir.children) {
    const flushed = await flush(nodes, meter, child);
    dir.entries[name] = { type: 'dir', ref: flushed.ref, totals: flushed.totals };
  }
  const totals: SnapshotTotals = { files: 0, dirs: 0, bytes: 0, depth: 0 };
  for (const name of Object.keys(dir.entries)) {
    const entry = dir.entries[name]!;
    if (entry.type === 'file') {
      addFile(totals, entry.size);
      continue;
    }
    let subtree = entry.totals;
    if (!subtree) {
      // A subtree kept from a snapshot written before totals were recorded: measured once, here.
      subtree = await meter.subtreeOf(entry);
      dir.entries[name] = { ...entry, totals: subtree };
    }
    addDirectory(totals, subtree);
  }
  checkTotals(totals, meter.limits);
  const ref = await nodes.put(makeNode(dir.entries));
  meter.remember(ref, totals);
  return { ref, totals };
}
