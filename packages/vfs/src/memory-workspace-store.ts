import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, systemClock, type Clock, type WorkspaceRecord, type WorkspaceStore, type WorkspaceWriteOptions } from '@lightspeed/ports';

/** An in-process WorkspaceStore for tests and embedded use; same compare-and-set contract as SQL. */
export class MemoryWorkspaceStore implements WorkspaceStore {
  private readonly records = new Map<string, WorkspaceRecord>();

  constructor(private readonly clock: Clock = systemClock) {}

  async create(id: string, headRef: BlobRef, options: WorkspaceWriteOptions = {}): Promise<WorkspaceRecord> {
    if (this.records.has(id)) throw new LightspeedError('conflict', `workspace ${id} already exists; pick another id or update it`, { workspaceId: id });
    const now = this.clock.now();
    const record: WorkspaceRecord = { id, headRef, revision: 1, createdAt: now, updatedAt: now, ...(options.displayName !== undefined ? { displayName: options.displayName } : {}) };
    this.records.set(id, record);
    return { ...record };
  }

  async get(id: string): Promise<WorkspaceRecord | undefined> {
    const record = this.records.get(id);
    return record ? { ...record } : undefined;
  }

  async update(id: string, expectedRevision: number, headRef: BlobRef, options: WorkspaceWriteOptions = {}): Promise<WorkspaceRecord> {
    const record = this.records.get(id);
    if (!record) throw new LightspeedError('not_found', `workspace ${id} does not exist`, { workspaceId: id });
    if (record.revision !== expectedRevision) {
      throw new LightspeedError(
        'conflict',
        `workspace ${id} changed concurrently (expected revision ${expectedRevision}, now ${record.revision}); re-read the files and retry`,
        { workspaceId: id, expectedRevision, actualRevision: record.revision },
      );
    }
    const next: WorkspaceRecord = { ...record, headRef, revision: record.revision + 1, updatedAt: this.clock.now(), ...(options.displayName !== undefined ? { displayName: options.displayName } : {}) };
    this.records.set(id, next);
    return { ...next };
  }

  async list(options: { limit?: number; cursor?: string } = {}): Promise<{ workspaces: WorkspaceRecord[]; nextCursor?: string }> {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
    const ids = [...this.records.keys()].sort().filter((id) => options.cursor === undefined || id > options.cursor);
    const page = ids.slice(0, limit).map((id) => ({ ...this.records.get(id)! }));
    const out: { workspaces: WorkspaceRecord[]; nextCursor?: string } = { workspaces: page };
    if (ids.length > limit) out.nextCursor = page[page.length - 1]!.id;
    return out;
  }

  async delete(id: string): Promise<void> {
    if (!this.records.delete(id)) throw new LightspeedError('not_found', `workspace ${id} does not exist`, { workspaceId: id });
  }
}
