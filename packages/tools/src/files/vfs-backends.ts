import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type WorkspaceRecord } from '@lightspeed/ports';
import { list, readFile, stat, walk, type NodeStore, type Workspaces } from '@lightspeed/vfs';
import type { FileBackend, FileChange, FileListEntry, FileStat, FileWalkEntry } from './file-backend.js';

/** A read-only snapshot mount. */
export class SnapshotBackend implements FileBackend {
  constructor(
    protected readonly nodes: NodeStore,
    private readonly root: BlobRef,
  ) {}

  protected async rootRef(): Promise<BlobRef> {
    return this.root;
  }

  async stat(path: string): Promise<FileStat | undefined> {
    const info = await stat(this.nodes, await this.rootRef(), path);
    return info ? { type: info.type, size: info.size } : undefined;
  }

  async readFile(path: string): Promise<Uint8Array> {
    return readFile(this.nodes, await this.rootRef(), path);
  }

  async list(path: string): Promise<FileListEntry[]> {
    return list(this.nodes, await this.rootRef(), path);
  }

  async *walk(path: string): AsyncIterable<FileWalkEntry> {
    for await (const entry of walk(this.nodes, await this.rootRef(), path)) yield { path: entry.path, type: entry.type, size: entry.size };
  }

  async commit(_changes: readonly FileChange[]): Promise<void> {
    throw new LightspeedError('forbidden', 'a snapshot is immutable; write to a workspace mount instead');
  }
}

/**
 * A workspace mount, pinned to the head it first reads. One backend lives for one tool call, so
 * a read-modify-write (edit, apply_patch) commits with the revision it read: if someone else moved
 * the head in between, the commit is a `conflict` the model sees and can retry after re-reading.
 */
export class WorkspaceBackend extends SnapshotBackend {
  private pinned: Promise<WorkspaceRecord> | undefined;

  constructor(
    private readonly workspaces: Workspaces,
    private readonly workspaceId: string,
  ) {
    super(workspaces.nodes, 'sha256:' as BlobRef);
  }

  private head(): Promise<WorkspaceRecord> {
    this.pinned ??= this.workspaces.head(this.workspaceId);
    return this.pinned;
  }

  protected override async rootRef(): Promise<BlobRef> {
    return (await this.head()).headRef;
  }

  override async commit(changes: readonly FileChange[]): Promise<void> {
    const head = await this.head();
    const { record } = await this.workspaces.commit(
      this.workspaceId,
      changes.map((c) => (c.op === 'write' ? { op: 'write', path: c.path, content: c.content } : { op: 'delete', path: c.path })),
      { expectedRevision: head.revision },
    );
    this.pinned = Promise.resolve(record);
  }
}
