import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BlobRef } from '@lightspeed/engine';
import { addDirectory, addFile, checkTotals, DEFAULT_SNAPSHOT_LIMITS, sameTotals, SnapshotLimitError, type SnapshotLimits, type SnapshotTotals } from './snapshot-limits.js';
import { TreeNodeError, type NodeStore, type TreeEntry } from './tree-node.js';

/**
 * Totals of nodes already measured, by ref. A ref names immutable bytes, so an entry can never go
 * stale; the cache is bounded by count and simply cleared when full (a miss only costs a re-measure).
 * One cache may serve many requests; `scoped` keeps tenants apart, since a measure also proves that
 * every node beneath is present in that tenant's store.
 */
export class SnapshotTotalsCache {
  private readonly entries = new Map<string, SnapshotTotals>();

  constructor(private readonly maxEntries = 100_000) {}

  get(key: string): SnapshotTotals | undefined {
    return this.entries.get(key);
  }

  set(key: string, totals: SnapshotTotals): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, totals);
  }

  scoped(scope: string): ScopedTotalsCache {
    return { get: (ref) => this.get(`${scope}\u0000${ref}`), set: (ref, totals) => this.set(`${scope}\u0000${ref}`, totals) };
  }
}

export interface ScopedTotalsCache {
  get(ref: BlobRef): SnapshotTotals | undefined;
  set(ref: BlobRef, totals: SnapshotTotals): void;
}

/** Nodes measured between two yields to the event loop, so a large measure never blocks other requests. */
const NODES_PER_TURN = 256;

/**
 * Measures snapshots without expanding them. Totals are computed bottom-up per distinct node and
 * memoised by ref, so a DAG whose levels reference the level below many times costs one read per
 * node, not one per path; limits are checked as each directory's totals grow, so a snapshot that
 * expands to millions of files is refused after reading the few nodes that prove it.
 */
export class SnapshotMeter {
  private readonly measured: ScopedTotalsCache;
  private sinceYield = 0;

  constructor(
    readonly nodes: NodeStore,
    readonly limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS,
    cache: ScopedTotalsCache = new SnapshotTotalsCache().scoped(''),
  ) {
    this.measured = cache;
  }

  /**
   * Verifies every distinct node beneath `root` (well-formed, present, each directory's `totals`
   * claim true, within the limits) and returns the snapshot's totals. Use it wherever a ref from
   * outside becomes a snapshot root or a workspace head.
   */
  async measure(root: BlobRef): Promise<SnapshotTotals> {
    const totals = await this.measureNode(root, 0, true);
    checkTotals(totals, this.limits);
    return totals;
  }

  /**
   * The totals of a snapshot that was measured when it became a head: the cached figure, or the
   * sum of the root node's entries (trusting their `totals`, which `measure` checked). Entries
   * written before totals were recorded are measured (memoised, O(distinct nodes)) and reported
   * exactly even when over the limits, so a head accepted before the limits existed still lists.
   * Reads one node, not the tree.
   */
  async totalsOf(root: BlobRef): Promise<SnapshotTotals> {
    const cached = this.measured.get(root);
    if (cached) return cached;
    const node = await this.nodes.get(root);
    const totals: SnapshotTotals = { files: 0, dirs: 0, bytes: 0, depth: 0 };
    for (const entry of Object.values(node.entries)) {
      if (entry.type === 'file') addFile(totals, entry.size);
      else addDirectory(totals, entry.totals ?? (await this.measureNode(entry.ref, 1, false)));
    }
    this.measured.set(root, totals);
    return totals;
  }

  /** The totals an entry contributes below its directory, trusting a recorded claim. */
  async subtreeOf(entry: TreeEntry & { type: 'dir' }): Promise<SnapshotTotals> {
    return entry.totals ?? (await this.measureNode(entry.ref, 1, true));
  }

  /** Records the totals of a node this process built itself (true by construction). */
  remember(ref: BlobRef, totals: SnapshotTotals): void {
    this.measured.set(ref, totals);
  }

  /**
   * The totals of the subtree at `ref`, `level` directories below the root being measured. Claims
   * are always checked and the recursion is always bounded by `maxDepth`; `enforce` also stops at
   * the first other limit exceeded. The cache holds true totals either way; callers check limits
   * on what they get back, since a parent's totals include its children's.
   */
  private async measureNode(ref: BlobRef, level: number, enforce: boolean): Promise<SnapshotTotals> {
    const cached = this.measured.get(ref);
    if (cached) return cached;
    // Refuse on the way down, before reading deeper: the recursion itself stays bounded.
    if (level > this.limits.maxDepth) throw new SnapshotLimitError('maxDepth', this.limits.maxDepth, level);
    if (++this.sinceYield >= NODES_PER_TURN) {
      this.sinceYield = 0;
      await nextTurn();
    }
    const node = await this.nodes.get(ref);
    const totals: SnapshotTotals = { files: 0, dirs: 0, bytes: 0, depth: 0 };
    for (const name of Object.keys(node.entries)) {
      const entry = node.entries[name]!;
      if (entry.type === 'file') {
        addFile(totals, entry.size);
      } else {
        const child = await this.measureNode(entry.ref, level + 1, enforce);
        if (entry.totals && !sameTotals(entry.totals, child)) {
          throw new TreeNodeError(ref, `directory ${JSON.stringify(name)} claims ${formatTotals(entry.totals)} but holds ${formatTotals(child)}`, { name });
        }
        addDirectory(totals, child);
      }
      // The depth figure is relative to this node; the snapshot's depth adds the levels above.
      if (enforce) checkTotals({ ...totals, depth: totals.depth + level }, this.limits);
    }
    this.measured.set(ref, totals);
    return totals;
  }
}

function formatTotals(totals: SnapshotTotals): string {
  return `${totals.files} files, ${totals.dirs} directories, ${totals.bytes} bytes, depth ${totals.depth}`;
}
