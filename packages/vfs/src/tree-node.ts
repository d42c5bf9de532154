import { canonicalJson, type BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';

export interface FileEntry {
  type: 'file';
  ref: BlobRef;
  size: number;
  /** POSIX permission bits worth keeping (only the executable bit is recorded today). */
  mode?: number;
}

export interface DirEntry {
  type: 'dir';
  ref: BlobRef;
}

export type TreeEntry = FileEntry | DirEntry;

/**
 * One directory of a snapshot. Serialised as canonical JSON so equal directories have equal refs;
 * a snapshot's identity is the ref of its root node.
 */
export interface TreeNode {
  kind: 'lightspeed.vfs.dir';
  v: 1;
  entries: Record<string, TreeEntry>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function makeNode(entries: Record<string, TreeEntry>): TreeNode {
  return { kind: 'lightspeed.vfs.dir', v: 1, entries };
}

export function encodeNode(node: TreeNode): Uint8Array {
  return encoder.encode(canonicalJson(node));
}

export function decodeNode(ref: BlobRef, bytes: Uint8Array): TreeNode {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw notADirectory(ref);
  }
  const node = value as Partial<TreeNode> | null;
  if (!node || node.kind !== 'lightspeed.vfs.dir' || typeof node.entries !== 'object' || node.entries === null) throw notADirectory(ref);
  // A node is data from the store: a crafted one must not smuggle `..` or `a/b` in as a name.
  for (const name of Object.keys(node.entries)) {
    if (!isValidEntryName(name)) throw new LightspeedError('corrupt', `snapshot node ${ref} has an invalid entry name ${JSON.stringify(name)}`, { ref });
  }
  return node as TreeNode;
}

/**
 * Reads and writes tree nodes through a BlobStore with a ref-keyed cache. Nodes are immutable (the
 * ref is their hash), so caching them can never serve stale data; it keeps an edit in a large tree
 * from re-reading and re-parsing every directory on its path.
 */
export class NodeStore {
  private readonly cache = new Map<BlobRef, TreeNode>();

  constructor(
    readonly blobs: BlobStore,
    private readonly maxCached = 50_000,
  ) {}

  async get(ref: BlobRef): Promise<TreeNode> {
    const cached = this.cache.get(ref);
    if (cached) return cached;
    const bytes = await this.blobs.get(ref);
    if (bytes === undefined) throw new LightspeedError('not_found', `snapshot node ${ref} is not in this store; the snapshot is incomplete`, { ref });
    const node = decodeNode(ref, bytes);
    this.remember(ref, node);
    return node;
  }

  async put(node: TreeNode): Promise<BlobRef> {
    const { ref } = await this.blobs.put(encodeNode(node), { mediaType: 'application/vnd.lightspeed.vfs-dir+json' });
    this.remember(ref, node);
    return ref;
  }

  private remember(ref: BlobRef, node: TreeNode): void {
    if (this.cache.size >= this.maxCached) this.cache.clear();
    this.cache.set(ref, node);
  }
}

export function isValidEntryName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

function notADirectory(ref: BlobRef): LightspeedError {
  return new LightspeedError('corrupt', `blob ${ref} is not a VFS directory node`, { ref });
}
