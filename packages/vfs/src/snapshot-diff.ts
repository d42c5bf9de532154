import type { BlobRef } from '@lightspeed/engine';
import { EXECUTABLE_FILE_MODE, REGULAR_FILE_MODE, type NodeStore, type TreeEntry } from './tree-node.js';

/** One file's side of a change. */
export interface SnapshotFileSide {
  ref: BlobRef;
  size: number;
  mode: number;
}

/** A file added, deleted or modified (content or mode) between two snapshots; directories are implied by their files. */
export interface SnapshotChange {
  /** VFS path (`/a/b.txt`). */
  path: string;
  kind: 'added' | 'deleted' | 'modified';
  before?: SnapshotFileSide;
  after?: SnapshotFileSide;
}

/**
 * The file changes that turn snapshot `from` into snapshot `to`, in path order. Subtrees with equal
 * refs are skipped without being read (snapshots are content-addressed), so the cost is that of
 * the changed directories, not of the whole tree. Empty directories are not reported.
 */
export async function diffSnapshots(nodes: NodeStore, from: BlobRef, to: BlobRef): Promise<SnapshotChange[]> {
  const changes: SnapshotChange[] = [];
  await diffDirs(nodes, from, to, '', changes);
  return changes;
}

async function diffDirs(nodes: NodeStore, from: BlobRef | undefined, to: BlobRef | undefined, prefix: string, out: SnapshotChange[]): Promise<void> {
  if (from === to) return;
  const before = from === undefined ? {} : (await nodes.get(from)).entries;
  const after = to === undefined ? {} : (await nodes.get(to)).entries;
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const name of names) {
    const path = `${prefix}/${name}`;
    const a = before[name];
    const b = after[name];
    if (a?.type === 'dir' || b?.type === 'dir') {
      // A file replaced by a directory (or back) is a deletion plus the other side's files.
      if (a?.type === 'file') out.push({ path, kind: 'deleted', before: sideOf(a) });
      await diffDirs(nodes, a?.type === 'dir' ? a.ref : undefined, b?.type === 'dir' ? b.ref : undefined, path, out);
      if (b?.type === 'file') out.push({ path, kind: 'added', after: sideOf(b) });
      continue;
    }
    if (a === undefined && b !== undefined) out.push({ path, kind: 'added', after: sideOf(b) });
    else if (a !== undefined && b === undefined) out.push({ path, kind: 'deleted', before: sideOf(a) });
    else if (a !== undefined && b !== undefined && (a.ref !== b.ref || modeOf(a) !== modeOf(b))) out.push({ path, kind: 'modified', before: sideOf(a), after: sideOf(b) });
  }
}

function modeOf(entry: TreeEntry): number {
  return entry.type === 'file' && entry.mode === EXECUTABLE_FILE_MODE ? EXECUTABLE_FILE_MODE : REGULAR_FILE_MODE;
}

function sideOf(entry: TreeEntry): SnapshotFileSide {
  return { ref: entry.ref, size: entry.type === 'file' ? entry.size : 0, mode: modeOf(entry) };
}
