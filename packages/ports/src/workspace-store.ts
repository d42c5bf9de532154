import type { BlobRef } from '@lightspeed/engine';

export interface WorkspaceRecord {
  id: string;
  headRef: BlobRef;
  revision: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * VFS workspaces: named, mutable heads over content-addressed snapshots, updated with an
 * expected-revision compare-and-set (a mismatch throws a `conflict` LightspeedError).
 */
export interface WorkspaceStore {
  create(id: string, headRef: BlobRef): Promise<WorkspaceRecord>;
  get(id: string): Promise<WorkspaceRecord | undefined>;
  update(id: string, expectedRevision: number, headRef: BlobRef): Promise<WorkspaceRecord>;
  list(options?: { limit?: number; cursor?: string }): Promise<{ workspaces: WorkspaceRecord[]; nextCursor?: string }>;
  delete(id: string): Promise<void>;
}
