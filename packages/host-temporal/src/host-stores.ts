import { LightspeedError, type BlobStore, type SessionStore, type WorkspaceStore } from '@lightspeed/ports';

/** The shared stores, per universe (store-sql's `Storage` on PostgreSQL or PGlite satisfies this). */
export interface HostStores {
  sessions(universe: string): SessionStore;
  blobs(universe: string): BlobStore;
  workspaces(universe: string): WorkspaceStore;
}

// The store's own identifier rules (universes are path-safe; session ids are free text without control characters).
const UNIVERSE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Validates a session address at the boundary (client calls and activity inputs). */
export function checkAddress({ universe, sessionId }: { universe: string; sessionId: string }): void {
  if (typeof universe !== 'string' || !UNIVERSE.test(universe) || universe.includes('..')) throw new LightspeedError('invalid', 'universe id must be 1-128 characters of [A-Za-z0-9._-]');
  if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > 256 || CONTROL.test(sessionId)) {
    throw new LightspeedError('invalid', 'session id must be 1-256 characters without control characters');
  }
}
