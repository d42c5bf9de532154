import { accept, reject, type Admission } from '../core/admission.js';
import { validateRunConfig, type RunConfig } from '../session/config.js';
import type { ContextEntry } from '../context/context-entry.js';
import { appendEntries, keyIndex } from '../context/context.js';
import { digestOf, isBlobRef, type BlobRef } from '../values/digest.js';
import type { ProviderErrorClass } from '../request/generation.js';
import { invariant } from '../log/invariant.js';
import type { LogEntry } from '../log/log.js';
import { preview } from '../values/preview.js';
import { closeOpenParts, retire, terminateRunEvents } from './run-end.js';
import { cloneRun, liveRun, putRun } from './run-record.js';
import { bump, bumpActivity, findRun, type SessionState } from '../core/state.js';
import { findSubmission, recordSubmission } from '../session/submissions.js';
import type { ToolBatchState } from './tool-batch.js';
import type { TurnState } from './turn.js';
import { ZERO_TOTALS, type UsageTotals } from './usage.js';

/** A piece of user input; the body is already in CAS. */
export type InputRef =
  | { type: 'text'; ref: BlobRef; preview?: string }
  | { type: 'media'; ref: BlobRef; mime: string; kind: string; name?: string };

/** What a run works on: new input (appended to the conversation when the run starts) or existing context keys. */
export type RunSource = { type: 'input'; items: InputRef[] } | { type: 'context'; keys: string[] };

export type RunStatus = 'queued' | 'running' | 'cancelling' | 'completed' | 'failed' | 'cancelled';

export type LimitName = 'max_turns' | 'max_tool_rounds' | 'output_tokens' | 'token_budget' | 'cost_budget';

/** Why a run failed: a typed reason with a stable code. */
export type RunFailure =
  | { code: 'provider_error'; errorClass: ProviderErrorClass; message: string }
  /** `max` is the configured limit, `used` what the scope had used when it was checked (null: unknown cost). */
  | { code: 'limit_exceeded'; limit: LimitName; scope: 'run' | 'session'; message: string; max?: number; used?: number | null }
  | { code: 'context_length'; message: string }
  | { code: 'compaction_failed'; message: string }
  /** The model declined to answer; `explanationRef` is its refusal text (the provider's explanation, in CAS). */
  | { code: 'refused'; message: string; explanationRef?: BlobRef };

/** Steering input accepted for the active run, waiting for the next turn boundary. */
export interface SteeringState {
  steeringId: string;
  input: InputRef[];
}

export interface RunState {
  runId: string;
  status: RunStatus;
  source: RunSource;
  submissionId?: string;
  config?: RunConfig;
  acceptedAt: number;
  startedAt?: number;
  endedAt?: number;
  turns: TurnState[];
  batches: ToolBatchState[];
  usage: UsageTotals;
  pendingSteering: SteeringState[];
  failure?: RunFailure;
  cancelReason?: string;
  /** Content of the last assistant message the run produced (its answer). */
  outputRef?: BlobRef;
}

export interface RunStartCommand {
  type: 'run.start';
  submissionId?: string;
  source: RunSource;
  config?: RunConfig;
}

/** Cancels a queued run at once; an active one goes `cancelling` (force: cancelled in the admission). */
export interface RunCancelCommand {
  type: 'run.cancel';
  runId: string;
  force?: boolean;
}

export interface RunSteerCommand {
  type: 'run.steer';
  runId: string;
  input: InputRef[];
}

export interface RunAcceptedData {
  runId: string;
  submissionId?: string;
  /** digestOf({source, config}) — the idempotency identity of the submission. */
  digest?: string;
  source: RunSource;
  config?: RunConfig;
}

export interface RunIdData {
  runId: string;
}

export interface RunSteeredData {
  runId: string;
  steeringId: string;
  input: InputRef[];
}

export interface RunSteeringAppliedData {
  runId: string;
  steeringIds: string[];
}

export interface RunCancelledData {
  runId: string;
  reason: string;
}

export interface RunCompletedData {
  runId: string;
  outputRef?: BlobRef;
}

export interface RunFailedData {
  runId: string;
  failure: RunFailure;
}

const MAX_INPUT_ITEMS = 256;
/** Admission refuses (`limit`) more queued runs or pending steering than this; state stays bounded. */
export const MAX_QUEUED_RUNS = 100;
export const MAX_PENDING_STEERING = 32;
const TERMINAL: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled']);

export function isTerminalRun(status: RunStatus): boolean {
  return TERMINAL.has(status);
}

/** Validates input refs and bounds their previews; returns the normalised list or a rejection. */
export function normalizeInput(input: unknown, path: string): InputRef[] | Admission {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUT_ITEMS) return reject('invalid', `${path}: expected 1..${MAX_INPUT_ITEMS} input items`);
  const out: InputRef[] = [];
  for (const [i, item] of input.entries()) {
    if (typeof item !== 'object' || item === null) return reject('invalid', `${path}[${i}]: expected an object`);
    const it = item as Record<string, unknown>;
    if (!isBlobRef(it.ref)) return reject('invalid', `${path}[${i}].ref: expected sha256:<64 hex> (put the body in CAS first)`);
    if (it.type === 'text') {
      if (it.preview !== undefined && typeof it.preview !== 'string') return reject('invalid', `${path}[${i}].preview: expected a string`);
      out.push(it.preview === undefined ? { type: 'text', ref: it.ref } : { type: 'text', ref: it.ref, preview: preview(it.preview as string) });
    } else if (it.type === 'media') {
      if (typeof it.mime !== 'string' || it.mime.length === 0 || it.mime.length > 256) return reject('invalid', `${path}[${i}].mime: expected a media type`);
      if (typeof it.kind !== 'string' || it.kind.length === 0 || it.kind.length > 64) return reject('invalid', `${path}[${i}].kind: expected a string`);
      if (it.name !== undefined && typeof it.name !== 'string') return reject('invalid', `${path}[${i}].name: expected a string`);
      const media: InputRef = { type: 'media', ref: it.ref, mime: it.mime, kind: it.kind };
      if (it.name !== undefined) media.name = preview(it.name as string);
      out.push(media);
    } else {
      return reject('invalid', `${path}[${i}].type: expected 'text' or 'media'`);
    }
  }
  return out;
}

function normalizeSource(state: SessionState, source: unknown): RunSource | Admission {
  if (typeof source !== 'object' || source === null) return reject('invalid', 'source: expected {type: "input", items} or {type: "context", keys}');
  const s = source as Record<string, unknown>;
  if (s.type === 'input') {
    const items = normalizeInput(s.items, 'source.items');
    return Array.isArray(items) ? { type: 'input', items } : items;
  }
  if (s.type === 'context') {
    const keys = s.keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'string')) return reject('invalid', 'source.keys: expected a non-empty array of context keys');
    const missing = (keys as string[]).filter((key) => keyIndex(state.context, key) < 0);
    if (missing.length > 0) return reject('not_found', `source.keys: no context entry for ${missing.join(', ')}`, { keys: missing });
    return { type: 'context', keys: [...(keys as string[])] };
  }
  return reject('invalid', 'source.type: expected "input" or "context"');
}

export function admitRunStart(state: SessionState, command: RunStartCommand): Admission {
  const source = normalizeSource(state, command.source);
  if (!('type' in source && (source.type === 'input' || source.type === 'context'))) return source as Admission;
  if (command.config !== undefined) {
    const invalid = validateRunConfig(command.config, state.config!);
    if (invalid) return invalid;
  }
  const runId = `run_${state.counters.run + 1}`;
  const data: RunAcceptedData = { runId, source };
  const queueFull = state.queue.length >= MAX_QUEUED_RUNS;
  if (command.config !== undefined) data.config = command.config;
  if (command.submissionId !== undefined) {
    if (typeof command.submissionId !== 'string' || command.submissionId.length === 0 || command.submissionId.length > 256) return reject('invalid', 'submissionId: expected a non-empty string (≤ 256 chars)');
    const digest = digestOf({ source, config: command.config });
    const previous = findSubmission(state.submissions, command.submissionId);
    if (previous) {
      if (previous.digest === digest) return accept([], { runId: previous.runId, duplicate: true });
      return reject('duplicate', `submissionId ${command.submissionId} was already used for a different request (run ${previous.runId}); use a new submissionId`, { runId: previous.runId });
    }
    data.submissionId = command.submissionId;
    data.digest = digest;
  }
  if (queueFull) return reject('limit', `${MAX_QUEUED_RUNS} runs are already queued; wait for them or cancel some`, { queued: state.queue.length });
  return accept([{ kind: 'run.accepted', data }], { runId });
}

function runNotFound(runId: string): Admission {
  return reject('not_found', `run ${String(runId)} does not exist (or is older than the retained history)`, { runId });
}

export function admitRunCancel(state: SessionState, command: RunCancelCommand): Admission {
  const run = typeof command.runId === 'string' ? findRun(state, command.runId) : undefined;
  if (!run) return runNotFound(command.runId);
  if (isTerminalRun(run.status)) return reject('conflict', `run ${run.runId} is already ${run.status}`, { runId: run.runId, status: run.status });
  if (run.status === 'queued') return accept([{ kind: 'run.cancelled', data: { runId: run.runId, reason: 'cancelled by user' } satisfies RunCancelledData }], { runId: run.runId });
  if (command.force === true) {
    const { events, blobs } = terminateRunEvents(state, run, { type: 'cancelled', reason: 'cancelled by user (force)' });
    return accept(events, { runId: run.runId }, blobs);
  }
  if (run.status === 'cancelling') return accept([], { runId: run.runId });
  return accept([{ kind: 'run.cancel_requested', data: { runId: run.runId } satisfies RunIdData }], { runId: run.runId });
}

export function admitRunSteer(state: SessionState, command: RunSteerCommand): Admission {
  const run = typeof command.runId === 'string' ? findRun(state, command.runId) : undefined;
  if (!run) return runNotFound(command.runId);
  if (run.runId !== state.activeRunId || run.status !== 'running') {
    return reject('conflict', `run ${run.runId} is ${run.status}; only the active, running run can be steered (start a new run instead)`, { runId: run.runId, status: run.status });
  }
  const input = normalizeInput(command.input, 'input');
  if (!Array.isArray(input)) return input;
  if (run.pendingSteering.length >= MAX_PENDING_STEERING) return reject('limit', `${MAX_PENDING_STEERING} steering inputs are already waiting for the next turn`, { runId: run.runId });
  const steeringId = `steer_${state.counters.steer + 1}`;
  return accept([{ kind: 'run.steered', data: { runId: run.runId, steeringId, input } satisfies RunSteeredData }], { runId: run.runId, steeringId });
}

function inputEntries(runId: string, items: InputRef[], steeringId?: string): Omit<ContextEntry, 'id'>[] {
  return items.map((item, inputIndex) => {
    const entry: Omit<ContextEntry, 'id'> = {
      kind: { type: 'message', role: 'user' },
      contentRef: item.ref,
      source: steeringId === undefined ? { type: 'runInput', runId, inputIndex } : { type: 'steering', runId, steeringId, inputIndex },
    };
    if (item.type === 'text') {
      if (item.preview !== undefined) entry.preview = item.preview;
    } else {
      entry.mediaType = item.mime;
      entry.preview = preview(`[${item.kind}${item.name === undefined ? '' : `: ${item.name}`}]`);
    }
    return entry;
  });
}

export function applyRunAccepted(state: SessionState, entry: LogEntry<'run.accepted'>): SessionState {
  const data = entry.data;
  invariant(data.runId === `run_${state.counters.run + 1}`, 'run.accepted: unexpected run id', { runId: data.runId });
  const run: RunState = { runId: data.runId, status: 'queued', source: data.source, acceptedAt: entry.at, turns: [], batches: [], usage: ZERO_TOTALS, pendingSteering: [] };
  if (data.submissionId !== undefined) run.submissionId = data.submissionId;
  if (data.config !== undefined) run.config = data.config;
  const next = putRun(state, run);
  next.queue = [...state.queue, run.runId];
  next.counters = bump(state.counters, 'run');
  if (data.submissionId !== undefined) next.submissions = recordSubmission(state.submissions, { submissionId: data.submissionId, digest: data.digest ?? digestOf({ source: data.source, config: data.config }), runId: data.runId });
  return next;
}

export function applyRunStarted(state: SessionState, entry: LogEntry<'run.started'>): SessionState {
  const { runId } = entry.data;
  invariant(state.activeRunId === undefined, 'run.started while another run is active', { runId, active: state.activeRunId });
  invariant(state.queue[0] === runId, 'run.started must start the head of the queue (FIFO)', { runId, head: state.queue[0] });
  const run = liveRun(state, runId, 'run.started');
  const started = cloneRun(run);
  started.status = 'running';
  started.startedAt = entry.at;
  const next = putRun(state, started);
  next.queue = state.queue.slice(1);
  next.activeRunId = runId;
  next.activity = bumpActivity(state.activity, 'runs');
  return run.source.type === 'input' ? appendEntries(next, inputEntries(runId, run.source.items), true) : next;
}

export function applyRunSteered(state: SessionState, entry: LogEntry<'run.steered'>): SessionState {
  const data = entry.data;
  invariant(data.steeringId === `steer_${state.counters.steer + 1}`, 'run.steered: unexpected steering id', { steeringId: data.steeringId });
  invariant(state.activeRunId === data.runId, 'run.steered: only the active run can be steered', { runId: data.runId });
  const run = liveRun(state, data.runId, 'run.steered');
  invariant(run.status === 'running', 'run.steered: the run is not running', { status: run.status });
  const steered = cloneRun(run);
  steered.pendingSteering = [...run.pendingSteering, { steeringId: data.steeringId, input: data.input }];
  const next = putRun(state, steered);
  next.counters = bump(state.counters, 'steer');
  return next;
}

export function applySteeringApplied(state: SessionState, entry: LogEntry<'run.steering_applied'>): SessionState {
  const data = entry.data;
  const run = liveRun(state, data.runId, 'run.steering_applied');
  invariant(state.activeRunId === run.runId && run.status === 'running', 'run.steering_applied: run is not the running run');
  invariant(data.steeringIds.length === run.pendingSteering.length && run.pendingSteering.every((s, i) => s.steeringId === data.steeringIds[i]), 'run.steering_applied must apply the pending steering in order');
  let next = putRun(state, { ...run, pendingSteering: [] });
  for (const steering of run.pendingSteering) next = appendEntries(next, inputEntries(run.runId, steering.input, steering.steeringId), true);
  return next;
}

export function applyCancelRequested(state: SessionState, entry: LogEntry<'run.cancel_requested'>): SessionState {
  const { runId } = entry.data;
  const run = liveRun(state, runId, 'run.cancel_requested');
  invariant(run.status === 'running' && state.activeRunId === runId, 'run.cancel_requested: only the running active run can be cancelling', { status: run.status });
  return putRun(state, { ...run, status: 'cancelling' });
}

export function applyRunCancelled(state: SessionState, entry: LogEntry<'run.cancelled'>): SessionState {
  const data = entry.data;
  const run = liveRun(state, data.runId, 'run.cancelled');
  const parts = closeOpenParts(run, 'cancelled');
  return retire(state, { ...run, ...parts, status: 'cancelled', cancelReason: data.reason, pendingSteering: [], endedAt: entry.at });
}

export function applyRunFailed(state: SessionState, entry: LogEntry<'run.failed'>): SessionState {
  const data = entry.data;
  const run = liveRun(state, data.runId, 'run.failed');
  invariant(state.activeRunId === run.runId, 'run.failed: only the active run can fail', { runId: run.runId });
  const parts = closeOpenParts(run, 'failed');
  return retire(state, { ...run, ...parts, status: 'failed', failure: data.failure, pendingSteering: [], endedAt: entry.at });
}

export function applyRunCompleted(state: SessionState, entry: LogEntry<'run.completed'>): SessionState {
  const data = entry.data;
  const run = liveRun(state, data.runId, 'run.completed');
  invariant(state.activeRunId === run.runId && run.status === 'running', 'run.completed: only the running active run can complete');
  const turn = run.turns[run.turns.length - 1];
  invariant(turn !== undefined && turn.status === 'completed', 'run.completed: the last turn must be completed');
  invariant(run.pendingSteering.length === 0, 'run.completed with pending steering (steering extends the run)');
  const done: RunState = { ...run, status: 'completed', endedAt: entry.at };
  if (data.outputRef !== undefined) done.outputRef = data.outputRef;
  return retire(state, done);
}
