import type { SessionRef } from '@lightspeed/driver';
import type { BlobStore, SessionStore, WorkspaceStore } from '@lightspeed/ports';

/**
 * The stores both halves of the Restate host share: the authoritative session log, CAS and
 * workspaces, per universe. `@lightspeed/store-sql`'s `Storage` (PGlite or PostgreSQL) is one.
 */
export interface RestateStores {
  sessions(universe: string): SessionStore;
  blobs(universe: string): BlobStore;
  workspaces(universe: string): WorkspaceStore;
  activeSessions?(): Promise<SessionRef[]>;
}
