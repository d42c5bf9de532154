import type { AdmitResult, Command, LogEntry, Rejection, SessionState } from '@lightspeed/engine';
import type { BlobStore, LiveChannel, ModelInfo, SessionDirectory, SessionListPage, SessionListStatus, WorkspaceStore } from '@lightspeed/ports';

/** A session addressed within a universe (tenant). The universe always comes from the caller's credential. */
export interface SessionRef {
  universe: string;
  sessionId: string;
}

/**
 * The key under which a session's token deltas travel on `AgentHost.live`: universe-qualified, so
 * two tenants that pick the same session id never see each other's deltas. Hosts publish under it
 * (see `scopedLiveChannel`) and surfaces subscribe with it.
 */
export function liveKey(ref: SessionRef): string {
  return `${ref.universe}\u001f${ref.sessionId}`;
}

/** A LiveChannel view for one session's effects: publishes under the session's `liveKey`. */
export function scopedLiveChannel(live: LiveChannel, ref: SessionRef): LiveChannel {
  const key = liveKey(ref);
  return {
    publish: (message) => live.publish({ ...message, sessionId: key }),
    subscribe: (_sessionId, listener) => live.subscribe(key, listener),
  };
}

export type SubmitOutcome =
  | { ok: true; result?: AdmitResult; state: SessionState; head: number }
  | { ok: false; rejection: Rejection };

/**
 * What every host (embedded, Temporal, Restate) offers the surfaces (API gateway, CLI). A host
 * admits commands durably (the events are committed before `submit` resolves) and drives sessions
 * with work in the background. Surfaces never talk to the engine or the stores behind the host's back
 * for writes; reads of the log and CAS go through here too so tenancy is enforced in one place.
 */
export interface AgentHost {
  readonly engine: 'embedded' | 'temporal' | 'restate';
  submit(ref: SessionRef, command: Command): Promise<SubmitOutcome>;
  /** Current state of a session, or undefined if it does not exist in this universe. */
  state(ref: SessionRef): Promise<SessionState | undefined>;
  /** Durable log entries with seq > after, ascending. */
  readEvents(ref: SessionRef, options: { after?: number; limit?: number }): Promise<LogEntry[]>;
  /** Resolves when the session's head moves past `after`, or after `waitMs`, or when aborted. */
  waitForEvents(ref: SessionRef, after: number, waitMs: number, signal?: AbortSignal): Promise<void>;
  /** Token deltas of in-flight turns (never durable), keyed by `liveKey(ref)`. */
  readonly live: LiveChannel;
  listSessions(universe: string, options: { limit?: number; cursor?: string; status?: SessionListStatus }): Promise<SessionListPage>;
  /** Deletes a closed session (log, projection, snapshots). */
  deleteSession(ref: SessionRef): Promise<void>;
  blobs(universe: string): BlobStore;
  workspaces(universe: string): WorkspaceStore;
  listModels(): Promise<ModelInfo[]>;
  close(): Promise<void>;
}

/** A host's sessions of one universe as effects reach them (sub-agent tools, owed deliveries). */
export function sessionDirectoryOf(host: Pick<AgentHost, 'submit' | 'state'>, universe: string): SessionDirectory {
  return {
    submit: (sessionId, command) => host.submit({ universe, sessionId }, command),
    state: (sessionId) => host.state({ universe, sessionId }),
  };
}
