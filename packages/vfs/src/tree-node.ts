import { canonicalJson, isBlobRef, type BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';
import type { SnapshotTotals } from './snapshot-limits.js';

/** The only file modes a snapshot records: a regular file (the default, omitted) or an executable. */
export const REGULAR_FILE_MODE = 0o644;
export const EXECUTABLE_FILE_MODE = 0o755;
/** Directories are always materialized with this mode; nodes record none. */
export const DIRECTORY_MODE = 0o755;

export interface FileEntry {
  type: 'file';
  ref: BlobRef;
  /** Bytes of the body: a non-negative safe integer equal to the blob's length. */
  size: number;
  /** `EXECUTABLE_FILE_MODE`, or absent for a regular file; no other bits are ever kept. */
  mode?: number;
}

export interface DirEntry {
  type: 'dir';
  ref: BlobRef;
  /**
   * The expanded size of the subdirectory, so a parent's totals are a sum over its own entries and
   * a snapshot's size is read from its root alone. A claim from an uploaded node is checked
   * against the child when the snapshot is first measured (`SnapshotMeter`).
   */
  totals?: SnapshotTotals;
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

/** A stored node that is not a well-formed directory (the client or the store is at fault, not the reader). */
export class TreeNodeError extends LightspeedError {
  constructor(
    readonly ref: BlobRef,
    why: string,
    details: Record<string, unknown> = {},
  ) {
    super('invalid', `snapshot node ${ref} is invalid: ${why}; rebuild the snapshot with \`lightspeed vfs snapshot\` or vfs/snapshots/commit`, { ref, ...details });
    this.name = 'TreeNodeError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function makeNode(entries: Record<string, TreeEntry>): TreeNode {
  return { kind: 'lightspeed.vfs.dir', v: 1, entries };
}

export function encodeNode(node: TreeNode): Uint8Array {
  return encoder.encode(canonicalJson(node));
}

/**
 * Parses and checks a stored node. A node is data from the store, possibly uploaded by a client,
 * so everything a reader will act on is checked here once: entry names (no `..`, `/`, NUL), types,
 * refs, sizes, modes and subtree totals. The bytes must also be the node's canonical encoding,
 * which refuses duplicate names (JSON.parse would silently keep the last) and keeps "equal trees
 * have equal refs" true for uploaded nodes too.
 */
export function decodeNode(ref: BlobRef, bytes: Uint8Array): TreeNode {
  let text: string;
  let value: unknown;
  try {
    text = decoder.decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw notADirectory(ref);
  }
  if (!isRecord(value) || value.kind !== 'lightspeed.vfs.dir') throw notADirectory(ref);
  if (value.v !== 1) throw new TreeNodeError(ref, `version ${JSON.stringify(value.v)} is not supported (only 1)`);
  const entries = value.entries;
  if (!isRecord(entries)) throw new TreeNodeError(ref, '`entries` must be an object of name → entry');
  if (!hasOnlyKeys(value, NODE_KEYS)) throw new TreeNodeError(ref, `unknown fields ${extraKeys(value, NODE_KEYS)}`);
  for (const name of Object.keys(entries)) {
    if (!isValidEntryName(name)) throw new TreeNodeError(ref, `invalid entry name ${JSON.stringify(name)}`, { name });
    checkEntry(ref, name, entries[name]);
  }
  if (canonicalJson(value) !== text) throw new TreeNodeError(ref, 'the bytes are not the canonical encoding (duplicate or unsorted names, or extra whitespace)');
  return value as unknown as TreeNode;
}

const NODE_KEYS = new Set(['kind', 'v', 'entries']);
const FILE_KEYS = new Set(['type', 'ref', 'size', 'mode']);
const DIR_KEYS = new Set(['type', 'ref', 'totals']);
const TOTALS_KEYS = ['files', 'dirs', 'bytes', 'depth'] as const;

function checkEntry(ref: BlobRef, name: string, entry: unknown): void {
  const bad = (why: string): TreeNodeError => new TreeNodeError(ref, `entry ${JSON.stringify(name)} ${why}`, { name });
  if (!isRecord(entry)) throw bad('is not an object');
  if (!isBlobRef(entry.ref)) throw bad('has no valid `ref` (sha256:<64 hex>)');
  if (entry.type === 'file') {
    if (!hasOnlyKeys(entry, FILE_KEYS)) throw bad(`has unknown fields ${extraKeys(entry, FILE_KEYS)}`);
    if (!isCount(entry.size)) throw bad(`has size ${JSON.stringify(entry.size)}; a size is a non-negative integer`);
    if (entry.mode !== undefined && entry.mode !== EXECUTABLE_FILE_MODE && entry.mode !== REGULAR_FILE_MODE) {
      throw bad(`has mode ${formatMode(entry.mode)}; only 0644 (regular) and 0755 (executable) are allowed`);
    }
    return;
  }
  if (entry.type === 'dir') {
    if (!hasOnlyKeys(entry, DIR_KEYS)) throw bad(`has unknown fields ${extraKeys(entry, DIR_KEYS)}`);
    if (entry.totals === undefined) return;
    const totals = entry.totals;
    if (!isRecord(totals) || !hasOnlyKeys(totals, new Set(TOTALS_KEYS)) || !TOTALS_KEYS.every((key) => isCount(totals[key]))) {
      throw bad('has malformed `totals`; expected {files, dirs, bytes, depth} as non-negative integers');
    }
    return;
  }
  throw bad(`has type ${JSON.stringify(entry.type)}; expected "file" or "dir"`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function hasOnlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  return Object.keys(value).every((key) => allowed.has(key));
}

function extraKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): string {
  return Object.keys(value)
    .filter((key) => !allowed.has(key))
    .map((key) => JSON.stringify(key))
    .join(', ');
}

function formatMode(mode: unknown): string {
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 ? `0${mode.toString(8)}` : JSON.stringify(mode);
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

function notADirectory(ref: BlobRef): TreeNodeError {
  return new TreeNodeError(ref, 'the blob is not a VFS directory node');
}
