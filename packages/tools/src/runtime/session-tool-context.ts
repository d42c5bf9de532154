import type { HostEnvironmentConfig } from '../host/host-environment.js';
import type { WebFetchConfig } from '../web/web-fetch-config.js';
import type { WorkspaceLink } from './session-features.js';

/**
 * Per-session facts the tool runtime needs that are not in the (logged) features: deployment
 * config such as the host directory and web allowlist, and mounts the driver adds on its own.
 * The driver registers it with `ToolRuntime.forSession(context)` before resolving the session's
 * tools, or supplies a `SessionToolContextProvider` so a runtime that restarted can load it.
 */
export interface SessionToolContext {
  sessionId: string;
  /** Mounts in addition to the features' `vfs.workspaceLinks` (same shape). */
  mounts?: WorkspaceLink[];
  /** The host environment; overrides the features' `host` extension when both are given. */
  host?: HostEnvironmentConfig;
  /** Web fetch policy for this session (allowlist, caps); defaults to the runtime's. */
  web?: WebFetchConfig;
}

/** Loads a session's tool context and features on demand (after a restart, for example). */
export interface SessionToolContextProvider {
  load(sessionId: string): Promise<{ context: SessionToolContext; apiKind: string; features: unknown } | undefined>;
}
