import { MemoryBlobStore } from '@lightspeed/cas';
import type { SessionRef } from '@lightspeed/driver';
import { MemorySessionStore } from '@lightspeed/store-memory';
import { MemoryWorkspaceStore } from '@lightspeed/vfs';
import type { EmbeddedStores } from './embedded-host.js';

/** Ephemeral stores for every universe, in this process only (tests, `--data-dir :memory:`). */
export function memoryStores(): EmbeddedStores {
  const sessions = new Map<string, MemorySessionStore>();
  const blobs = new Map<string, MemoryBlobStore>();
  const workspaces = new Map<string, MemoryWorkspaceStore>();
  const per = <T>(map: Map<string, T>, universe: string, make: () => T): T => {
    let value = map.get(universe);
    if (!value) {
      value = make();
      map.set(universe, value);
    }
    return value;
  };
  return {
    sessions: (universe) => per(sessions, universe, () => new MemorySessionStore()),
    blobs: (universe) => per(blobs, universe, () => new MemoryBlobStore()),
    workspaces: (universe) => per(workspaces, universe, () => new MemoryWorkspaceStore()),
    async activeSessions() {
      const out: SessionRef[] = [];
      for (const [universe, store] of sessions) for (const sessionId of await store.listActive()) out.push({ universe, sessionId });
      return out;
    },
  };
}
