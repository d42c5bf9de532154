import { TASK_EVENT_TYPES, TASK_STATES, type TaskEventType as PortTaskEventType, type TaskState as PortTaskState } from '@lightspeed/ports';
import { z } from 'zod';
import { epochMs, named, uint } from './registry.js';

/*
 * Lightspeed extension: the durable task queue of the caller's universe (issue 14;
 * docs/0019-task-queue.md, docs/tasks.md). Thin wrappers over the TaskQueue port: a task is work
 * for an agent (a profile), claimed and run by a dispatcher; every attempt is recorded.
 */

export const MAX_TASK_TEXT = 256;
export const MAX_TASK_TAGS = 32;
export const MAX_TASK_LIST = 1_000;

const text = () => z.string().min(1, 'expected 1-256 characters').max(MAX_TASK_TEXT, 'expected 1-256 characters');
const ms = (what: string) => z.number({ error: `expected ${what}` }).int(`expected ${what}`);

export const TaskState = named('TaskState', z.enum(TASK_STATES as [PortTaskState, ...PortTaskState[]]), 'queued, scheduled (waiting for availableAtMs), running, succeeded, failed, blocked, cancelled.');
export const TaskEventType = named('TaskEventType', z.enum(TASK_EVENT_TYPES as [PortTaskEventType, ...PortTaskEventType[]]));
export const TaskModel = named('TaskModel', z.strictObject({ providerId: z.string().min(1), apiKind: z.string().min(1), model: z.string().min(1) }), 'Overrides the agent model for this task.');

export const TaskBackoff = named(
  'TaskBackoff',
  z.strictObject({
    initialDelayMs: uint(),
    multiplier: z.number().min(1).max(100),
    maxDelayMs: uint(),
    jitter: z.number().min(0).max(1),
  }),
  'Retry delay after failed attempt n: min(maxDelayMs, initialDelayMs * multiplier^(n-1)), reduced by up to jitter of itself.',
);

export const TaskView = named(
  'TaskView',
  z.object({
    taskId: z.string(),
    kind: z.string(),
    source: z.string().nullish(),
    subject: z.string().nullish(),
    agent: z.string().describe('The agent profile that runs it.'),
    model: TaskModel.nullish(),
    priority: z.number().int(),
    state: TaskState,
    availableAtMs: epochMs().describe('When it is (or was) claimable; for a retry, the next attempt at.'),
    maxAttempts: uint(),
    attempts: uint().describe('Attempts spent; a dispatcher crash is not one.'),
    backoff: TaskBackoff,
    timeoutMs: uint().nullish(),
    dedupeKey: z.string().nullish(),
    concurrencyKey: z.string().nullish(),
    tags: z.array(z.string()),
    cancelRequested: z.boolean(),
    lease: z.object({ owner: z.string(), expiresAtMs: epochMs() }).nullish().describe('The running attempt’s lease.'),
    lastError: z.object({ class: z.string(), message: z.string() }).nullish(),
    payload: z.unknown().optional().describe('The payload (tasks/read only).'),
    payloadRef: z.string().nullish().describe('Set when the payload is kept in CAS (over 16 KiB).'),
    createdAtMs: epochMs(),
    updatedAtMs: epochMs(),
    finishedAtMs: epochMs().nullish(),
  }),
);
export type TaskView = z.infer<typeof TaskView>;

export const TaskUsage = named(
  'TaskUsage',
  z.object({ inputTokens: uint(), cachedInputTokens: uint(), cacheWriteTokens: uint(), outputTokens: uint(), reasoningTokens: uint() }),
);

export const TaskAttemptView = named(
  'TaskAttemptView',
  z.object({
    taskId: z.string(),
    attempt: uint(),
    claims: uint().describe('Leases this attempt held: 1, plus one per re-claim after a dispatcher died.'),
    dispatcher: z.string(),
    agent: z.string(),
    agentRevision: uint().nullish(),
    model: TaskModel.nullish(),
    sessionId: z.string().nullish(),
    runId: z.string().nullish(),
    startedAtMs: epochMs(),
    endedAtMs: epochMs().nullish(),
    outcome: z.enum(['running', 'succeeded', 'failed', 'blocked', 'cancelled']),
    errorClass: z.string().nullish(),
    error: z.string().nullish(),
    usage: TaskUsage.nullish(),
    costUsd: z.number().min(0).nullish(),
    evidence: z.array(z.string()),
    retryAtMs: epochMs().nullish().describe('For a failed attempt that was rescheduled: the next attempt at.'),
  }),
);
export type TaskAttemptView = z.infer<typeof TaskAttemptView>;

export const TaskCreateParams = named(
  'TaskCreateParams',
  z.strictObject({
    kind: text().describe('What sort of work (github.issue.summarise).'),
    agent: text().describe('The agent profile that runs it; must exist.'),
    source: text().nullish(),
    subject: text().nullish().describe('What it is about (acme/api#12), shown in lists.'),
    payload: z.unknown().optional().describe('JSON rendered into the run input; checked against the agent task.schema when it declares one. At most 1 MiB.'),
    model: TaskModel.nullish(),
    priority: z.number().int('expected a whole number').min(-1000).max(1000).nullish().describe('Higher first (default 0).'),
    availableAtMs: ms('epoch milliseconds').min(0).nullish().describe('Not claimable before this time; exclusive with delayMs.'),
    delayMs: ms('a whole number of milliseconds').min(0, 'must not be negative').nullish(),
    maxAttempts: z.number().int('expected a whole number').min(1, 'must be at least 1').max(100).nullish().describe('Default 3.'),
    backoff: TaskBackoff.partial().nullish(),
    timeoutMs: ms('a whole number of milliseconds').min(1, 'must be at least 1').nullish(),
    dedupeKey: text().nullish().describe('While a task with this key is waiting or running, creating another returns it (deduped: true).'),
    concurrencyKey: text().nullish(),
    tags: z.array(text()).max(MAX_TASK_TAGS).nullish(),
  }),
);
export type TaskCreateParams = z.infer<typeof TaskCreateParams>;
export const TaskCreateResponse = named('TaskCreateResponse', z.object({ task: TaskView, deduped: z.boolean() }));

const taskId = () => z.string().min(1).max(MAX_TASK_TEXT);

export const TaskReadParams = named('TaskReadParams', z.strictObject({ taskId: taskId() }));
export const TaskReadResponse = named('TaskReadResponse', z.object({ task: TaskView }));

export const TaskListParams = named(
  'TaskListParams',
  z.strictObject({
    states: z.array(TaskState).max(TASK_STATES.length).nullish().describe('Only these states (empty or absent: all).'),
    kind: text().nullish(),
    agent: text().nullish(),
    source: text().nullish(),
    concurrencyKey: text().nullish(),
    tag: text().nullish(),
    limit: z.number().int().min(1).max(MAX_TASK_LIST).nullish().describe('Default 100.'),
    cursor: z.string().max(1024).nullish(),
  }),
);
export const TaskListResponse = named('TaskListResponse', z.object({ tasks: z.array(TaskView), nextCursor: z.string().nullish() }), 'Newest first; no payloads.');

export const TaskCancelParams = named(
  'TaskCancelParams',
  z.strictObject({ taskId: taskId(), reason: z.string().min(1).max(4096).nullish() }),
);
export const TaskCancelResponse = named('TaskCancelResponse', z.object({ task: TaskView }));

export const TaskRetryParams = named('TaskRetryParams', z.strictObject({ taskId: taskId() }));
export const TaskRetryResponse = named('TaskRetryResponse', z.object({ task: TaskView }));

export const TaskAttemptListParams = named('TaskAttemptListParams', z.strictObject({ taskId: taskId() }));
export const TaskAttemptListResponse = named('TaskAttemptListResponse', z.object({ attempts: z.array(TaskAttemptView) }), 'Oldest first.');

/** A task as an event carries it: no payload, model, backoff or lease. */
export const TaskEventTaskView = named(
  'TaskEventTaskView',
  z.object({
    taskId: z.string(),
    kind: z.string(),
    source: z.string().nullish(),
    subject: z.string().nullish(),
    agent: z.string(),
    state: TaskState,
    priority: z.number().int(),
    attempts: uint(),
    maxAttempts: uint(),
    availableAtMs: epochMs(),
    cancelRequested: z.boolean(),
    concurrencyKey: z.string().nullish(),
    tags: z.array(z.string()),
    lastError: z.object({ class: z.string(), message: z.string() }).nullish(),
    createdAtMs: epochMs(),
    updatedAtMs: epochMs(),
    finishedAtMs: epochMs().nullish(),
  }),
);

export const TaskEventView = named(
  'TaskEventView',
  z.object({
    type: TaskEventType,
    atMs: epochMs(),
    task: TaskEventTaskView,
    attempt: uint().nullish(),
    adopted: z.boolean().nullish(),
  }),
  'One transition of a task, as GET /tasks/stream sends it (event: task).',
);
export type TaskEventView = z.infer<typeof TaskEventView>;
