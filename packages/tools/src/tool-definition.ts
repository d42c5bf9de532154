import type { ToolParallelism, WaitKind } from '@lightspeed/engine';
import type { AgentCatalog, BlobStore, MemoryToolAccess, SessionDirectory } from '@lightspeed/ports';
import type { FileSpace } from './files/file-space.js';
import type { HostEnvironment } from './host/host-environment.js';
import type { WebFetcher } from './web/web-fetcher.js';

/** What a logical tool returns; the runtime writes it to CAS and builds the ToolCallOutcome. */
export interface ToolResult {
  /** Text shown to the model (written to CAS as text/plain). */
  text?: string;
  /** Structured content (written to CAS as JSON), e.g. MCP `{content: [...]}`. */
  json?: unknown;
  isError: boolean;
  effects?: { kind: string; data?: Record<string, string> }[];
  /**
   * Park the call on a durable promise instead of finishing it: the runtime names the promise
   * (from the call's ids, so a re-run names the same one) and stores `detail` in CAS.
   */
  defer?: { deadline?: number; wait: { kind: WaitKind; preview: string; detail?: unknown; child?: { sessionId: string; runId: string } } };
}

/** Per-call environment handed to a logical tool. Everything session-specific comes through here. */
export interface ToolEnv {
  sessionId: string;
  /** The model's id for this call (the same when a crashed host runs the call again). */
  callId: string;
  /** The call's run, turn and batch (sub-agents derive their ids from them). */
  runId: string;
  turnId: string;
  batchId: string;
  blobs: BlobStore;
  signal?: AbortSignal;
  /** The session's file namespace for this call (fresh per call: workspace heads pinned on first read). */
  files(): FileSpace;
  host?: HostEnvironment;
  web?: WebFetcher;
  /** The universe's sessions (sub-agent tools); absent on hosts that give tools none. */
  sessions?: SessionDirectory;
  /** Agent definitions sub-agents may start from. */
  agents?: AgentCatalog;
  /** The universe's memory (memory tools); absent on servers without a memory store. */
  memory?: MemoryToolAccess;
}

/**
 * One implementation of a tool, independent of any provider's naming. Provider surfaces map their
 * own names and argument shapes onto `args`.
 */
export interface LogicalTool<A = unknown> {
  logical: string;
  parallelism: ToolParallelism;
  run(args: A, env: ToolEnv): Promise<ToolResult>;
}

export function ok(text: string, effects?: ToolResult['effects']): ToolResult {
  return effects ? { text, isError: false, effects } : { text, isError: false };
}

export function fail(text: string): ToolResult {
  return { text, isError: true };
}
