import type { SessionState } from '@lightspeed/engine';
import type { BlobStore, Clock, LiveChannel, LlmPort, SessionDirectory, ToolPort, WorkspaceStore } from '@lightspeed/ports';
import type { RetryPolicy } from './retry-policy.js';

/** Everything the driver needs to fulfil one session's actions. Hosts build one per session/universe. */
export interface DriverPorts {
  blobs: BlobStore;
  llm: LlmPort;
  tools: ToolPort;
  live?: LiveChannel;
  clock: Clock;
  retry: RetryPolicy;
  /** Sleep that rejects when aborted; injectable for tests and for engines with durable timers. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** The other sessions of this universe (delivering owed messages); hosts without it cannot deliver. */
  sessions?: SessionDirectory;
}


/** A session's model kind and features, as the tool runtime needs them to resolve its tools. */
export interface SessionToolFacts {
  apiKind: string;
  features: unknown;
}

/** What a host hands the tool-runtime factory for one session. */
export interface ToolPortContext {
  universe: string;
  sessionId: string;
  blobs: BlobStore;
  workspaces: WorkspaceStore;
  /**
   * Reads a session of this universe from the host's own state, so a tool call resumed while the
   * host is still starting (recovery runs before `start` returns) resolves its tools; undefined
   * when the session does not exist or is not configured.
   */
  sessionFacts(sessionId: string): Promise<SessionToolFacts | undefined>;
  /** The universe's sessions, for tools that start and steer other sessions (sub-agents). */
  sessions?: SessionDirectory;
}

/** The tool facts of a session state (undefined until the session is configured). */
export function toolFactsOf(state: SessionState | undefined): SessionToolFacts | undefined {
  return state?.config ? { apiKind: state.config.model.apiKind, features: state.config.features } : undefined;
}

/** Builds (or returns a shared) tool runtime for a session; every host takes one. */
export type ToolPortFactory = (context: ToolPortContext) => ToolPort;
