import { accept, reject, type Admission, type AdmitResult, type SynthesizedBlob } from '../core/admission.js';
import { canonicalJson } from '../values/canonical-json.js';
import type { CompactionCancelledData } from '../context/compaction.js';
import { validateSessionConfig, type SessionConfig } from './config.js';
import { admitContextPut, type ContextPutEntry } from '../context/context.js';
import { invariant } from '../log/invariant.js';
import type { EventDraft, LogEntry } from '../log/log.js';
import { terminateRunEvents } from '../run/run-end.js';
import { activeRun, type SessionState } from '../core/state.js';

export interface SessionOpenCommand {
  type: 'session.open';
  sessionId: string;
  config: SessionConfig;
  displayName?: string;
  /**
   * Initial context (bodies already in CAS), admitted with the open as one append: a crash cannot
   * commit the session without it, and a retried open (which is a no-op) cannot lose it.
   */
  context?: ContextPutEntry[];
}

/** Replaces the whole config. Requires no active run; the model's API kind is pinned for the session. */
export interface SessionConfigureCommand {
  type: 'session.configure';
  config: SessionConfig;
  expectedRevision?: number;
}

export interface SessionRenameCommand {
  type: 'session.rename';
  displayName: string;
}

/** Non-force close requires no queued/active run; force cancels the active run, drops the queue, then closes. */
export interface SessionCloseCommand {
  type: 'session.close';
  force?: boolean;
}

export interface SessionOpenedData {
  sessionId: string;
  config: SessionConfig;
  displayName?: string;
}

export interface SessionConfiguredData {
  config: SessionConfig;
  revision: number;
}

export interface SessionRenamedData {
  displayName: string;
}

export interface SessionClosedData {
  force: boolean;
}

const MAX_DISPLAY_NAME = 200;

function validDisplayName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_DISPLAY_NAME;
}

export function admitOpen(state: SessionState, command: SessionOpenCommand): Admission {
  if (command.sessionId !== state.sessionId) return reject('invalid', `sessionId ${String(command.sessionId)} does not match this session (${state.sessionId})`);
  const invalid = validateSessionConfig(command.config);
  if (invalid) return invalid;
  if (command.displayName !== undefined && !validDisplayName(command.displayName)) return reject('invalid', `displayName: expected a string of at most ${MAX_DISPLAY_NAME} characters`);
  if (state.status === 'open') {
    // Retrying an open returns the session; a different config is a different request.
    if (canonicalJson(state.config) === canonicalJson(command.config)) return accept([], { sessionId: state.sessionId, configRevision: state.configRevision });
    return reject('conflict', 'the session is already open with a different config; use session.configure to change it', { configRevision: state.configRevision });
  }
  const data: SessionOpenedData = { sessionId: command.sessionId, config: command.config };
  if (command.displayName !== undefined) data.displayName = command.displayName;
  const events: EventDraft[] = [{ kind: 'session.opened', data }];
  const result: AdmitResult = { sessionId: state.sessionId, configRevision: 1 };
  if (command.context !== undefined) {
    // Opening changes neither context nor counters, so the put is admitted against the new state.
    const put = admitContextPut(state, { type: 'context.put', entries: command.context });
    if (!put.ok) return reject(put.rejection.code, `context: ${put.rejection.message}`, put.rejection.details);
    events.push(...put.events);
    result.contextRevision = put.result?.contextRevision;
    result.entries = put.result?.entries;
  }
  return accept(events, result);
}

export function admitConfigure(state: SessionState, command: SessionConfigureCommand): Admission {
  const invalid = validateSessionConfig(command.config);
  if (invalid) return invalid;
  const current = state.config!;
  if (command.expectedRevision !== undefined && command.expectedRevision !== state.configRevision) {
    return reject('conflict', `config is at revision ${state.configRevision}, not ${command.expectedRevision}; re-read it and retry`, { expected: command.expectedRevision, actual: state.configRevision });
  }
  if (canonicalJson(current) === canonicalJson(command.config)) return accept([], { configRevision: state.configRevision });
  if (command.config.model.apiKind !== current.model.apiKind) {
    return reject('invalid', `config.model.apiKind is pinned to ${current.model.apiKind} for this session (provider-native context cannot move between API kinds); open a new session`, { path: 'config.model.apiKind' });
  }
  if (state.activeRunId !== undefined) return reject('busy', 'a run is active; cancel it or wait for it to finish before replacing the config', { runId: state.activeRunId });
  if (state.compaction?.status === 'started') return reject('busy', 'a compaction is running; retry when it finishes');
  const revision = state.configRevision + 1;
  return accept([{ kind: 'session.configured', data: { config: command.config, revision } satisfies SessionConfiguredData }], { configRevision: revision });
}

export function admitRename(state: SessionState, command: SessionRenameCommand): Admission {
  if (!validDisplayName(command.displayName)) return reject('invalid', `displayName: expected a string of at most ${MAX_DISPLAY_NAME} characters`);
  if (state.displayName === command.displayName) return accept([], { sessionId: state.sessionId });
  return accept([{ kind: 'session.renamed', data: { displayName: command.displayName } satisfies SessionRenamedData }], { sessionId: state.sessionId });
}

export function admitClose(state: SessionState, command: SessionCloseCommand): Admission {
  const force = command.force === true;
  const busy = state.activeRunId !== undefined || state.queue.length > 0 || state.compaction !== undefined;
  if (busy && !force) return reject('busy', 'runs or a compaction are pending; wait, cancel them, or close with force', { activeRunId: state.activeRunId, queued: state.queue.length });
  const events: EventDraft[] = [];
  const blobs: SynthesizedBlob[] = [];
  const run = activeRun(state);
  if (run) {
    const terminated = terminateRunEvents(state, run, { type: 'cancelled', reason: 'session closed' });
    events.push(...terminated.events);
    blobs.push(...terminated.blobs);
  }
  for (const runId of state.queue) events.push({ kind: 'run.cancelled', data: { runId, reason: 'session closed' } });
  if (state.compaction) events.push({ kind: 'compaction.cancelled', data: { compactionId: state.compaction.compactionId, reason: 'session closed' } satisfies CompactionCancelledData });
  events.push({ kind: 'session.closed', data: { force } satisfies SessionClosedData });
  return accept(events, { sessionId: state.sessionId }, blobs);
}

export function applyOpened(state: SessionState, entry: LogEntry<'session.opened'>): SessionState {
  invariant(state.status === 'new', 'session.opened on a session that is not new', { status: state.status });
  const data = entry.data;
  invariant(data.sessionId === state.sessionId, 'session.opened for another session id', { sessionId: data.sessionId });
  const next: SessionState = { ...state, status: 'open', config: data.config, configRevision: 1, createdAt: entry.at };
  if (data.displayName !== undefined) next.displayName = data.displayName;
  return next;
}

export function applyConfigured(state: SessionState, entry: LogEntry<'session.configured'>): SessionState {
  const data = entry.data;
  invariant(data.revision === state.configRevision + 1, 'session.configured: revision must follow the current one', { revision: data.revision, current: state.configRevision });
  invariant(state.activeRunId === undefined, 'session.configured while a run is active');
  return { ...state, config: data.config, configRevision: data.revision };
}

export function applyRenamed(state: SessionState, entry: LogEntry<'session.renamed'>): SessionState {
  return { ...state, displayName: entry.data.displayName };
}

export function applyClosed(state: SessionState, _entry: LogEntry<'session.closed'>): SessionState {
  invariant(state.activeRunId === undefined && state.queue.length === 0, 'session.closed with live runs');
  invariant(state.compaction === undefined, 'session.closed with a pending compaction');
  return { ...state, status: 'closed' };
}
