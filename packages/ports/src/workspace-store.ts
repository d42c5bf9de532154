import type { BlobRef } from '@lightspeed/engine';

export interface WorkspaceRecord {
  id: string;
  headRef: BlobRef;
  revision: number;
  createdAt: number;
  updatedAt: number;
  /** A label for people; absent when none was ever given. */
  displayName?: string;
}

/** What a create or update may set besides the head. */
export interface WorkspaceWriteOptions {
  /** The display name to store; absent keeps the current one. */
  displayName?: string;
}

/**
 * VFS workspaces: named, mutable heads over content-addressed snapshots, updated with an
 * expected-revision compare-and-set (a mismatch throws a `conflict` LightspeedError).
 */
export interface WorkspaceStore {
  create(id: string, headRef: BlobRef, options?: WorkspaceWriteOptions): Promise<WorkspaceRecord>;
  get(id: string): Promise<WorkspaceRecord | undefined>;
  update(id: string, expectedRevision: number, headRef: BlobRef, options?: WorkspaceWriteOptions): Promise<WorkspaceRecord>;
  list(options?: { limit?: number; cursor?: string }): Promise<{ workspaces: WorkspaceRecord[]; nextCursor?: string }>;
  delete(id: string): Promise<void>;
}
