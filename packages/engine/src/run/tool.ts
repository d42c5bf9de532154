import type { BlobRef } from '../values/digest.js';

/** Whether a tool may run concurrently with others of its batch. */
export type ToolParallelism = 'parallelSafe' | 'exclusive';

/**
 * A tool offered to the model. Schemas and descriptions are in CAS; the engine only needs the name
 * (to decide availability) and the parallelism (carried to the driver). The set is replaced whole
 * by the runtime when it resolves the session's features (`tools.replace`).
 */
export interface ToolDescriptor {
  name: string;
  /** The logical tool implementing it (e.g. `vfs.read` behind both `Read` and `read_file`). */
  logical?: string;
  parallelism: ToolParallelism;
  /** JSON: `{ description: string, inputSchema: JSONSchema }`. */
  definitionRef: BlobRef;
}

/** A tool call observed in a generation. Arguments are in CAS (raw JSON text as emitted). */
export interface ToolCallFact {
  callId: string;
  name: string;
  argumentsRef: BlobRef;
  /** Provider-native id of the item that carried the call (passed back verbatim). */
  providerItemId?: string;
}

export type ToolCallStatus = 'succeeded' | 'failed' | 'cancelled' | 'unavailable';

/**
 * What a finished tool call returns to the engine. `resultRef` points at the result content
 * (JSON `{ content: [...] }` or text); `preview` is bounded. A tool may instead defer to a promise
 * (a timer for `sleep`, an external resolution for approvals and sub-agents): the call stays open
 * until the promise resolves.
 */
export type ToolCallOutcome =
  | {
      status: ToolCallStatus;
      resultRef: BlobRef;
      isError: boolean;
      preview?: string;
      /** Small facts about side effects (e.g. `{kind: 'vfs.write', data: {path}}`). */
      effects?: { kind: string; data?: Record<string, string> }[];
    }
  | { status: 'deferred'; promiseId: string; deadline?: number; wait?: WaitInfo };

/**
 * What a deferred call waits for, as people see it (`session/waits/list`): a timer, a question to
 * the user, a tool approval, or a child session. `detailRef` holds the full question (JSON in CAS:
 * `{question, choices?}` or the approval's tool and arguments); `preview` is its bounded summary.
 */
export interface WaitInfo {
  kind: WaitKind;
  preview?: string;
  detailRef?: BlobRef;
  /** For kind `child`: the child session's run awaited (the planner resolves the wait when it ends). */
  child?: { sessionId: string; runId: string };
}

export const WAIT_KINDS = ['timer', 'question', 'approval', 'child'] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

/** What the driver asks the tool runtime to run: ids and refs only. */
export interface ToolInvocation {
  sessionId: string;
  runId: string;
  turnId: string;
  batchId: string;
  callId: string;
  name: string;
  argumentsRef: BlobRef;
  parallelism: ToolParallelism;
}
