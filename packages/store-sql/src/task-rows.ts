import type { BlobRef, ModelSelection, Usage } from '@lightspeed/engine';
import type { AttemptOutcome, AttemptReport, BackoffPolicy, Task, TaskAttempt, TaskJson, TaskState } from '@lightspeed/ports';
import { numberOf } from './sql-driver.js';

/*
 * The task tables' rows and their domain shapes: the column lists, the row types as drivers return
 * them, and the mappings both ways (attempt facts as statement parameters).
 */

export const COLUMNS = `task_id, kind, source, subject, payload, payload_ref, agent, model, priority, state, available_at, max_attempts, attempts,
  backoff, timeout_ms, dedupe_key, concurrency_key, tags, lease_token, lease_owner, lease_expires_at, cancel_requested, last_error_class,
  last_error, created_at, updated_at, finished_at`;
export const ATTEMPT_COLUMNS = `task_id, attempt, claims, dispatcher, agent, agent_revision, model, session_id, run_id, started_at, ended_at, outcome,
  error_class, error, usage, cost_usd, evidence, retry_at`;

/** A column list with every column qualified by a table alias (for statements that join). */
export function qualified(columns: string, alias: string): string {
  return columns.replace(/(\w+)/g, `${alias}.$1`);
}

export interface TaskRow {
  task_id: string;
  kind: string;
  source: string | null;
  subject: string | null;
  payload: string | null;
  payload_ref: string | null;
  agent: string;
  model: string | null;
  priority: unknown;
  state: Exclude<TaskState, 'scheduled'>;
  available_at: unknown;
  max_attempts: unknown;
  attempts: unknown;
  backoff: string;
  timeout_ms: unknown;
  dedupe_key: string | null;
  concurrency_key: string;
  tags: unknown;
  lease_token: string | null;
  lease_owner: string | null;
  lease_expires_at: unknown;
  cancel_requested: boolean;
  last_error_class: string | null;
  last_error: string | null;
  created_at: unknown;
  updated_at: unknown;
  finished_at: unknown;
}

export interface AttemptRow {
  task_id: string;
  attempt: unknown;
  claims: unknown;
  dispatcher: string;
  agent: string;
  agent_revision: unknown;
  model: string | null;
  session_id: string | null;
  run_id: string | null;
  started_at: unknown;
  ended_at: unknown;
  outcome: AttemptOutcome;
  error_class: string | null;
  error: string | null;
  usage: string | null;
  cost_usd: unknown;
  evidence: unknown;
  retry_at: unknown;
}

/** jsonb arrives parsed from pg and as text from PGlite's protocol path. */
function jsonList(value: unknown): string[] {
  return (typeof value === 'string' ? JSON.parse(value) : value) as string[];
}

/** A stored `queued` task is reported `scheduled` until its `availableAt`: one stored state, two meanings by the clock. */
export function taskOf(row: TaskRow, now: number): Task {
  const availableAt = numberOf(row.available_at);
  const task: Task = {
    id: row.task_id,
    kind: row.kind,
    agent: row.agent,
    priority: numberOf(row.priority),
    state: row.state === 'queued' && availableAt > now ? 'scheduled' : row.state,
    availableAt,
    maxAttempts: numberOf(row.max_attempts),
    attempts: numberOf(row.attempts),
    backoff: JSON.parse(row.backoff) as BackoffPolicy,
    tags: jsonList(row.tags),
    cancelRequested: row.cancel_requested,
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
  };
  if (row.source !== null) task.source = row.source;
  if (row.subject !== null) task.subject = row.subject;
  if (row.payload !== null) task.payload = JSON.parse(row.payload) as TaskJson;
  if (row.payload_ref !== null) task.payloadRef = row.payload_ref as BlobRef;
  if (row.model !== null) task.model = JSON.parse(row.model) as ModelSelection;
  if (row.timeout_ms !== null) task.timeoutMs = numberOf(row.timeout_ms);
  if (row.dedupe_key !== null) task.dedupeKey = row.dedupe_key;
  if (row.concurrency_key !== '') task.concurrencyKey = row.concurrency_key;
  if (row.lease_owner !== null && row.lease_expires_at !== null) task.lease = { owner: row.lease_owner, expiresAt: numberOf(row.lease_expires_at) };
  if (row.last_error_class !== null) task.lastError = { class: row.last_error_class, message: row.last_error ?? '' };
  if (row.finished_at !== null) task.finishedAt = numberOf(row.finished_at);
  return task;
}

export function attemptOf(row: AttemptRow): TaskAttempt {
  const attempt: TaskAttempt = {
    taskId: row.task_id,
    attempt: numberOf(row.attempt),
    claims: numberOf(row.claims),
    dispatcher: row.dispatcher,
    agent: row.agent,
    startedAt: numberOf(row.started_at),
    outcome: row.outcome,
    evidence: jsonList(row.evidence),
  };
  if (row.agent_revision !== null) attempt.agentRevision = numberOf(row.agent_revision);
  if (row.model !== null) attempt.model = JSON.parse(row.model) as ModelSelection;
  if (row.session_id !== null) attempt.sessionId = row.session_id;
  if (row.run_id !== null) attempt.runId = row.run_id;
  if (row.ended_at !== null) attempt.endedAt = numberOf(row.ended_at);
  if (row.error_class !== null) attempt.errorClass = row.error_class;
  if (row.error !== null) attempt.error = row.error;
  if (row.usage !== null) attempt.usage = JSON.parse(row.usage) as Usage;
  if (row.cost_usd !== null) attempt.costUsd = numberOf(row.cost_usd);
  if (row.retry_at !== null) attempt.retryAt = numberOf(row.retry_at);
  return attempt;
}

/** The SET list that records facts and an ending on an attempt row (alias `a`), parameters from `$first`. */
export function attemptSet(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `session_id = COALESCE(${p(0)}::text, a.session_id), run_id = COALESCE(${p(1)}::text, a.run_id), agent_revision = COALESCE(${p(2)}::bigint, a.agent_revision),
    model = COALESCE(${p(3)}::text, a.model), usage = COALESCE(${p(4)}::text, a.usage), cost_usd = COALESCE(${p(5)}::double precision, a.cost_usd),
    evidence = COALESCE(${p(6)}::jsonb, a.evidence), outcome = COALESCE(${p(7)}::text, a.outcome), ended_at = COALESCE(${p(8)}::bigint, a.ended_at),
    error_class = COALESCE(${p(9)}::text, a.error_class), error = COALESCE(${p(10)}::text, a.error), retry_at = COALESCE(${p(11)}::bigint, a.retry_at)`;
}

export function attemptParams(report: AttemptReport, end: { outcome?: AttemptOutcome; endedAt?: number; errorClass?: string; error?: string; retryAt?: number }): unknown[] {
  return [
    report.sessionId ?? null, report.runId ?? null, report.agentRevision ?? null, report.model ? JSON.stringify(report.model) : null,
    report.usage ? JSON.stringify(report.usage) : null, report.costUsd ?? null, report.evidence ? JSON.stringify(report.evidence) : null,
    end.outcome ?? null, end.endedAt ?? null, end.errorClass ?? null, end.error ?? null, end.retryAt ?? null,
  ];
}

