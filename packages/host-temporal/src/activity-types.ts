// Activity inputs and results: ids, refs, revisions and facts only — never message bodies and never
// the whole state (except `bootstrap`, once per workflow execution).
import type { Action, Command, LogEntry, OutboxMessage, SessionState, ToolInvocation } from '@lightspeed/engine';
import type { SnapshotRef } from './definitions.js';

export interface SessionAddress {
  universe: string;
  sessionId: string;
}

export interface AppendInput extends SessionAddress {
  expectedHead: number;
  entries: LogEntry[];
  /** Texts the engine synthesised (bounded, e.g. "cancelled"): put in CAS before the append. */
  blobs?: { ref: string; text: string }[];
  projection: { status: 'idle' | 'active' | 'closed'; displayName: string | null };
  /** Also write a snapshot of the state at the new head. */
  snapshot?: boolean;
}

export interface AppendResult {
  /**
   * Present when a retried append found its entries already committed by an earlier attempt whose
   * result was lost (worker crash): their stored timestamps, which the workflow adopts.
   */
  committedAt?: number[];
  snapshot?: SnapshotRef;
  /**
   * Present when the log holds other entries after `expectedHead`: a workflow task whose worker
   * died after its append committed but before Temporal recorded the task, replayed with inputs
   * the dead one had not seen. Nothing was written; the workflow reloads the log and re-admits.
   */
  diverged?: true;
}

export interface BootstrapInput extends SessionAddress {
  snapshot?: SnapshotRef;
}

export interface BootstrapResult {
  /** Canonical JSON of the state (`serializeState`). */
  state: string;
  snapshotSeq: number;
}

export interface EffectInput<A> extends SessionAddress {
  /** The committed head the action was planned at: the activity re-derives its request from there. */
  head: number;
  action: A;
}

export type GenerateInput = EffectInput<Extract<Action, { type: 'generate' }>>;
export type CompactInput = EffectInput<Extract<Action, { type: 'compact' }>>;

export interface ToolInput extends SessionAddress {
  call: ToolInvocation;
}

/** A message this session owes another (a child's report, a cancel): ids, refs and small facts only. */
export interface DeliverInput extends SessionAddress {
  message: OutboxMessage;
}

export interface SessionSetupInput extends SessionAddress {
  head: number;
}

export interface SnapshotInput extends SessionAddress {
  head: number;
}

/** The activity functions the workflow calls (implemented by `createActivities`). */
export interface SessionActivities {
  append(input: AppendInput): Promise<AppendResult>;
  bootstrap(input: BootstrapInput): Promise<BootstrapResult>;
  snapshot(input: SnapshotInput): Promise<SnapshotRef>;
  generate(input: GenerateInput): Promise<Command>;
  compact(input: CompactInput): Promise<Command>;
  invokeTool(input: ToolInput): Promise<Command>;
  /** Sends an owed message to its session's workflow (an Update) and returns `outbox.delivered`. */
  deliver(input: DeliverInput): Promise<Command>;
  /** The driver's session setup (toolset, feature context) for the state at `head`, as commands to admit. */
  sessionSetup(input: SessionSetupInput): Promise<Command[]>;
}

export type { SessionState };
