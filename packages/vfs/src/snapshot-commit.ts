import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError } from '@lightspeed/ports';
import { joinSegments, pathSegments } from './vfs-path.js';
import { makeNode, type NodeStore, type TreeEntry } from './tree-node.js';

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

/**
 * Applies changes to the snapshot at `root` and returns the new root. Only the directories on the
 * changed paths are read and rewritten; every other subtree keeps its ref. All changes are applied
 * in memory first, so a failing change leaves the store with no new root (file blobs already put
 * are harmless: content-addressed and unreferenced).
 */
export async function commitChanges(nodes: NodeStore, root: BlobRef, changes: readonly TreeChange[]): Promise<BlobRef> {
  if (changes.length === 0) return root;
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
    const entry: TreeEntry =
      change.op === 'write'
        ? { type: 'file', ref: (await nodes.blobs.put(change.content)).ref, size: change.content.byteLength }
        : { type: 'file', ref: change.ref, size: change.size };
    if (change.mode !== undefined) entry.mode = change.mode;
    parent.entries[name] = entry;
  }

  return flush(nodes, top);
}

async function flush(nodes: NodeStore, dir: EditingDir): Promise<BlobRef> {
  for (const [name, child] of dir.children) {
    dir.entries[name] = { type: 'dir', ref: await flush(nodes, child) };
  }
  return nodes.put(makeNode(dir.entries));
}
