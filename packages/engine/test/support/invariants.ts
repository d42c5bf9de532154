import {
  compactionRequest,
  fingerprintOf,
  generationRequest,
  isTerminalRun,
  listStatus,
  openCalls,
  RECENT_RUNS_LIMIT,
  SUBMISSION_PAGES,
  type Action,
  type LogEntry,
  type SessionState,
} from '../../src/index.js';

/** Bytes an event may take whatever the conversation length (bounded previews, refs, ids, small facts). */
const MAX_EVENT_BYTES = 16_000;

/** Global invariants of a session state and its log; returns the violations found. */
export function violations(state: SessionState, log: readonly LogEntry[]): string[] {
  const out: string[] = [];
  const fail = (message: string) => out.push(message);
  if (state.head !== log.length) fail(`head ${state.head} != log length ${log.length}`);
  log.forEach((e, i) => {
    if (e.seq !== i + 1) fail(`seq gap at ${i}`);
  });

  // Runs: the live set is exactly the queue plus the active run.
  const live = Object.keys(state.runs).sort();
  const expected = [...state.queue, ...(state.activeRunId ? [state.activeRunId] : [])].sort();
  if (live.join() !== expected.join()) fail(`live runs ${live} != queue+active ${expected}`);
  for (const id of state.queue) if (state.runs[id]?.status !== 'queued') fail(`queued run ${id} is ${state.runs[id]?.status}`);
  if (state.activeRunId) {
    const status = state.runs[state.activeRunId]?.status;
    if (status !== 'running' && status !== 'cancelling') fail(`active run is ${status}`);
  }
  if (state.recentRuns.length > RECENT_RUNS_LIMIT) fail('too many retained runs');
  if (state.submissions.length > SUBMISSION_PAGES) fail('too many submission pages');
  for (const run of state.recentRuns) {
    if (!isTerminalRun(run.status)) fail(`retained run ${run.runId} is ${run.status}`);
    for (const batch of run.batches) if (openCalls(batch).length > 0) fail(`terminal run ${run.runId} has open calls`);
    for (const turn of run.turns) if (turn.status !== 'completed' && turn.status !== 'cancelled' && turn.status !== 'failed') fail(`terminal run ${run.runId} has a ${turn.status} turn`);
  }
  if (state.status === 'closed' && (state.activeRunId || state.queue.length > 0)) fail('closed session with live runs');

  // Context: unique ids and keys, bounded previews, every engine tool call has a result unless still open.
  const ids = new Set<string>();
  const keys = new Set<string>();
  const calls = new Set<string>();
  const results = new Set<string>();
  for (const e of state.context.entries) {
    if (ids.has(e.id)) fail(`duplicate entry id ${e.id}`);
    ids.add(e.id);
    if (e.key !== undefined) {
      if (keys.has(e.key)) fail(`duplicate key ${e.key}`);
      keys.add(e.key);
    }
    if (e.preview !== undefined && e.preview.length > 200) fail(`preview over 200 chars on ${e.id}`);
    if (e.kind.type === 'toolCall' && e.source?.type === 'assistantOutput') calls.add(e.kind.callId);
    if (e.kind.type === 'toolResult') results.add(e.kind.callId);
  }
  const pending = new Set<string>();
  const active = state.activeRunId ? state.runs[state.activeRunId] : undefined;
  if (active) {
    const batch = active.batches.at(-1);
    if (batch?.status === 'open') for (const c of openCalls(batch)) pending.add(c.callId);
    const turn = active.turns.at(-1);
    for (const c of turn?.toolCalls ?? []) pending.add(c.callId);
  }
  for (const callId of calls) if (!results.has(callId) && !pending.has(callId)) fail(`tool call ${callId} has no result`);

  // Promises belong to open calls of the active run.
  for (const [id, promise] of Object.entries(state.promises)) {
    const batch = active?.batches.at(-1);
    const owner = batch?.calls.find((c) => c.callId === promise.owner.callId);
    if (!active || active.runId !== promise.owner.runId || !owner || owner.promiseId !== id) fail(`promise ${id} has no open owner call`);
  }

  const status = listStatus(state);
  if (state.status === 'closed' ? status !== 'closed' : status === 'closed') fail('listStatus disagrees with session status');

  for (const e of log) {
    if (JSON.stringify(e).length > MAX_EVENT_BYTES) fail(`event ${e.seq} (${e.kind}) is unbounded`);
    if (longPreview(e.data)) fail(`event ${e.seq} (${e.kind}) carries a preview over 200 chars`);
  }
  return out;
}

function longPreview(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(longPreview);
  if (typeof value !== 'object' || value === null) return false;
  for (const [key, member] of Object.entries(value)) {
    if (key === 'preview' && typeof member === 'string' && member.length > 200) return true;
    if (longPreview(member)) return true;
  }
  return false;
}

/** The planner's effect actions must re-derive to their fingerprints. */
export function actionViolations(state: SessionState, action: Action): string[] {
  if (action.type === 'generate') {
    const fingerprint = fingerprintOf(generationRequest(state, action.runId, action.turnId));
    return fingerprint === action.fingerprint ? [] : ['generate fingerprint does not re-derive'];
  }
  if (action.type === 'compact') {
    const fingerprint = fingerprintOf(compactionRequest(state, action.compactionId));
    return fingerprint === action.fingerprint ? [] : ['compact fingerprint does not re-derive'];
  }
  if (action.type === 'append' && action.events.length === 0) return ['empty append'];
  if (action.type === 'invokeTools' && action.calls.length === 0) return ['invokeTools without calls'];
  return [];
}
