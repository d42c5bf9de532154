import type { BlobStore, Clock, LiveChannel, LlmPort, ToolPort, WorkspaceStore } from '@lightspeed/ports';
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
}

/** What a host hands the tool-runtime factory for one session. */
export interface ToolPortContext {
  universe: string;
  sessionId: string;
  blobs: BlobStore;
  workspaces: WorkspaceStore;
}

/** Builds (or returns a shared) tool runtime for a session; every host takes one. */
export type ToolPortFactory = (context: ToolPortContext) => ToolPort;
