import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore, type WorkspaceRecord, type WorkspaceStore, type WorkspaceWriteOptions } from '@lightspeed/ports';
import { commitChanges, type TreeChange } from './snapshot-commit.js';
import type { SnapshotLimits } from './snapshot-limits.js';
import { SnapshotMeter, type ScopedTotalsCache } from './snapshot-meter.js';
import { emptySnapshot } from './snapshot-read.js';
import { NodeStore } from './tree-node.js';

export interface WorkspacesOptions {
  limits?: SnapshotLimits;
  /** Totals of measured snapshots, shared across instances (by default each instance has its own). */
  totals?: ScopedTotalsCache;
}

export interface WorkspaceCommit {
  record: WorkspaceRecord;
  /** The head before the commit (the snapshot the changes were applied to). */
  baseRef: BlobRef;
}

/**
 * Workspaces: named mutable heads over immutable snapshots. A commit applies changes to the head
 * the caller read (`expectedRevision`) and moves the head with a compare-and-set, so two writers
 * can never silently overwrite each other: the loser gets a `conflict` error and must re-read.
 */
export class Workspaces {
  readonly nodes: NodeStore;
  readonly meter: SnapshotMeter;

  constructor(
    readonly store: WorkspaceStore,
    blobs: BlobStore | NodeStore,
    options: WorkspacesOptions = {},
  ) {
    this.nodes = blobs instanceof NodeStore ? blobs : new NodeStore(blobs);
    this.meter = new SnapshotMeter(this.nodes, options.limits, options.totals);
  }

  async create(id: string, baseRef?: BlobRef, options: WorkspaceWriteOptions = {}): Promise<WorkspaceRecord> {
    const head = baseRef ?? (await emptySnapshot(this.nodes));
    // Every node beneath the base is checked (well-formed, within the limits) before it becomes a head.
    await this.meter.measure(head);
    return this.store.create(id, head, options);
  }

  async head(id: string): Promise<WorkspaceRecord> {
    const record = await this.store.get(id);
    if (!record) throw new LightspeedError('not_found', `workspace ${id} does not exist`, { workspaceId: id });
    return record;
  }

  /**
   * Applies `changes` to the head at `expectedRevision` (default: the current head, read now) and
   * moves the head. Throws `conflict` when the head moved in between.
   */
  async commit(id: string, changes: readonly TreeChange[], options: { expectedRevision?: number } = {}): Promise<WorkspaceCommit> {
    const current = await this.head(id);
    const expected = options.expectedRevision ?? current.revision;
    if (current.revision !== expected) {
      throw new LightspeedError(
        'conflict',
        `workspace ${id} changed concurrently (expected revision ${expected}, now ${current.revision}); re-read the files and retry`,
        { workspaceId: id, expectedRevision: expected, actualRevision: current.revision },
      );
    }
    const nextRef = await commitChanges(this.nodes, current.headRef, changes, { meter: this.meter });
    const record = nextRef === current.headRef ? current : await this.store.update(id, expected, nextRef);
    return { record, baseRef: current.headRef };
  }
}
