import type { Task, TaskAttempt, TaskEvent, TaskJson } from '@lightspeed/ports';
import type { TaskAttemptView, TaskEventView, TaskView } from '../schemas/tasks.js';

/*
 * The port's tasks as the API shows them: times end in `Ms`, ids are named (`taskId`), absent
 * facts are left out. One mapping per shape, shared by the methods and the SSE stream.
 */

/** A task; `payload` only when the caller read it (tasks/read). */
export function taskView(task: Task, payload?: TaskJson): TaskView {
  const view: TaskView = {
    taskId: task.id,
    kind: task.kind,
    agent: task.agent,
    priority: task.priority,
    state: task.state,
    availableAtMs: task.availableAt,
    maxAttempts: task.maxAttempts,
    attempts: task.attempts,
    backoff: { ...task.backoff },
    tags: [...task.tags],
    cancelRequested: task.cancelRequested,
    createdAtMs: task.createdAt,
    updatedAtMs: task.updatedAt,
  };
  if (task.source !== undefined) view.source = task.source;
  if (task.subject !== undefined) view.subject = task.subject;
  if (task.model) view.model = { ...task.model };
  if (task.timeoutMs !== undefined) view.timeoutMs = task.timeoutMs;
  if (task.dedupeKey !== undefined) view.dedupeKey = task.dedupeKey;
  if (task.concurrencyKey !== undefined) view.concurrencyKey = task.concurrencyKey;
  if (task.lease) view.lease = { owner: task.lease.owner, expiresAtMs: task.lease.expiresAt };
  if (task.lastError) view.lastError = { ...task.lastError };
  if (task.payloadRef) view.payloadRef = task.payloadRef;
  if (payload !== undefined) view.payload = payload;
  if (task.finishedAt !== undefined) view.finishedAtMs = task.finishedAt;
  return view;
}

export function taskAttemptView(attempt: TaskAttempt): TaskAttemptView {
  const view: TaskAttemptView = {
    taskId: attempt.taskId,
    attempt: attempt.attempt,
    claims: attempt.claims,
    dispatcher: attempt.dispatcher,
    agent: attempt.agent,
    startedAtMs: attempt.startedAt,
    outcome: attempt.outcome,
    evidence: [...attempt.evidence],
  };
  if (attempt.agentRevision !== undefined) view.agentRevision = attempt.agentRevision;
  if (attempt.model) view.model = { ...attempt.model };
  if (attempt.sessionId !== undefined) view.sessionId = attempt.sessionId;
  if (attempt.runId !== undefined) view.runId = attempt.runId;
  if (attempt.endedAt !== undefined) view.endedAtMs = attempt.endedAt;
  if (attempt.errorClass !== undefined) view.errorClass = attempt.errorClass;
  if (attempt.error !== undefined) view.error = attempt.error;
  if (attempt.usage) {
    const u = attempt.usage;
    view.usage = { inputTokens: u.input, cachedInputTokens: u.cachedInput, cacheWriteTokens: u.cacheWrite, outputTokens: u.output, reasoningTokens: u.reasoning };
  }
  if (attempt.costUsd !== undefined) view.costUsd = attempt.costUsd;
  if (attempt.retryAt !== undefined) view.retryAtMs = attempt.retryAt;
  return view;
}

export function taskEventView(event: TaskEvent): TaskEventView {
  const t = event.task;
  const task: TaskEventView['task'] = {
    taskId: t.id,
    kind: t.kind,
    agent: t.agent,
    state: t.state,
    priority: t.priority,
    attempts: t.attempts,
    maxAttempts: t.maxAttempts,
    availableAtMs: t.availableAt,
    cancelRequested: t.cancelRequested,
    tags: [...t.tags],
    createdAtMs: t.createdAt,
    updatedAtMs: t.updatedAt,
  };
  if (t.source !== undefined) task.source = t.source;
  if (t.subject !== undefined) task.subject = t.subject;
  if (t.concurrencyKey !== undefined) task.concurrencyKey = t.concurrencyKey;
  if (t.lastError) task.lastError = { ...t.lastError };
  if (t.finishedAt !== undefined) task.finishedAtMs = t.finishedAt;
  const view: TaskEventView = { type: event.type, atMs: event.at, task };
  if (event.attempt !== undefined) view.attempt = event.attempt;
  if (event.adopted) view.adopted = true;
  return view;
}
