import type { BlobRef, ContextEntryKind, ToolCallOutcome, ToolDescriptor, ToolInvocation } from '@lightspeed/engine';
import type { BlobStore } from './blob-store.js';

export interface ToolCallContext {
  blobs: BlobStore;
  signal?: AbortSignal;
}

/** Session facts a tool runtime needs to resolve tools (from the session config, not the log). */
export interface ToolResolutionInput {
  sessionId: string;
  apiKind: string;
  features: unknown;
}

/**
 * The tool runtime. `resolve` turns a session's granted features into the concrete tool set (names
 * per provider family, MCP listings); `invoke` runs one call. A tool failure is a result with
 * `isError: true`, not a throw; throws are reserved for infrastructure faults (retried by the host).
 */
export interface ToolPort {
  resolve(input: ToolResolutionInput): Promise<ToolDescriptor[]>;
  invoke(call: ToolInvocation, context: ToolCallContext): Promise<ToolCallOutcome>;
  /**
   * Context the session's features contribute (VFS catalog, skill catalog, prompt-file
   * instructions), as keyed entries whose bodies are already in CAS. Called after `resolve`.
   */
  sessionContext?(sessionId: string): Promise<SessionContextEntry[]>;
}

/** A keyed context entry contributed by the tool runtime (mirrors the engine's `context.put` entry). */
export interface SessionContextEntry {
  key: string;
  kind: ContextEntryKind;
  contentRef: BlobRef;
  mediaType?: string;
  preview?: string;
}
