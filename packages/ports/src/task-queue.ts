import type { BlobRef, ModelSelection, Usage } from '@lightspeed/engine';

/*
 * The durable task queue (operations layer, issue 14): work waiting for an agent, claimed by
 * dispatchers under a lease. This port is the storage half only; the dispatcher that turns a claim
 * into an agent run, the API and the CLI are built on it (docs/0019-task-queue.md).
 */

/** Plain JSON, as a task payload is stored (canonical JSON; large ones in CAS). */
export type TaskJson = null | boolean | number | string | TaskJson[] | { [key: string]: TaskJson };

/**
 * Each state means one thing:
 * - `queued`: waiting, claimable now;
 * - `scheduled`: waiting, not claimable before `availableAt` (a delay, or a retry's backoff);
 * - `running`: claimed under a lease by a dispatcher (maybe with `cancelRequested`);
 * - `succeeded`: an attempt succeeded;
 * - `failed`: attempts exhausted, or a failure that must not be retried;
 * - `blocked`: the agent reported it could not proceed (or required evidence was missing);
 * - `cancelled`: cancelled by an operator, before or while it ran.
 * The last four are final; only an operator's `retry` moves a task out of one.
 */
export type TaskState = 'queued' | 'scheduled' | 'running' | 'succeeded' | 'failed' | 'blocked' | 'cancelled';

export const TASK_STATES: readonly TaskState[] = ['queued', 'scheduled', 'running', 'succeeded', 'failed', 'blocked', 'cancelled'];

/**
 * Retry delay after failed attempt n (1-based): `min(maxDelayMs, initialDelayMs * multiplier^(n-1))`,
 * then reduced by up to `jitter` of itself at random (0 = exact, 1 = "full jitter").
 */
export interface BackoffPolicy {
  initialDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 5_000, multiplier: 2, maxDelayMs: 10 * 60_000, jitter: 0.2 };

/** What `enqueue` accepts. Everything but `kind` and `agent` has a default. */
export interface TaskInput {
  /** What sort of work this is (`github.issue.summarise`, `nightly.check`): 1-128 characters. */
  kind: string;
  /** Where it came from (`github`, `discord`, `schedule:nightly`, `api`). */
  source?: string;
  /** What it is about (`acme/api#12`), shown in lists. */
  subject?: string;
  /** Rendered into the run's input by the agent's task template. Large payloads are kept in CAS. */
  payload?: TaskJson;
  /** The agent definition (profile id) that runs the task. */
  agent: string;
  /** Overrides the agent's model for this task. */
  model?: ModelSelection;
  /** Higher first (default 0, -1000..1000); within one priority, fair across concurrency keys, then older first. */
  priority?: number;
  /** Not claimable before this time (epoch ms). Exclusive with `delayMs`. */
  availableAt?: number;
  /** Not claimable for this long (ms ≥ 0). */
  delayMs?: number;
  /** Attempts the agent may spend (≥ 1, default 3). A dispatcher crash is not an attempt. */
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Longest one attempt may run (the dispatcher enforces it by cancelling the run). */
  timeoutMs?: number;
  /** While a task with this key is queued, scheduled or running, enqueueing another returns it. */
  dedupeKey?: string;
  /** Tasks sharing a key are limited together (e.g. one per repository) and share a fair turn. */
  concurrencyKey?: string;
  tags?: string[];
}

export interface Task {
  id: string;
  kind: string;
  source?: string;
  subject?: string;
  /** The payload when stored inline; otherwise `payloadRef` names it in CAS (read it with `payload`). */
  payload?: TaskJson;
  payloadRef?: BlobRef;
  agent: string;
  model?: ModelSelection;
  priority: number;
  state: TaskState;
  /** When it is (or was) claimable; for a retry, the `next attempt at`. */
  availableAt: number;
  maxAttempts: number;
  /** Attempts spent (finished by the agent, whatever their outcome); lease losses are not counted. */
  attempts: number;
  backoff: BackoffPolicy;
  timeoutMs?: number;
  dedupeKey?: string;
  concurrencyKey?: string;
  tags: string[];
  /** Set by `cancel` on a running task; the dispatcher sees it on `renew` and cancels the run. */
  cancelRequested: boolean;
  /** The running attempt's lease (running tasks only). */
  lease?: { owner: string; expiresAt: number };
  lastError?: { class: string; message: string };
  createdAt: number;
  updatedAt: number;
  finishedAt?: number;
}

export type AttemptOutcome = 'running' | 'succeeded' | 'failed' | 'blocked' | 'cancelled';

/** One attempt: the agent run a dispatcher made of a claim, and how it ended. */
export interface TaskAttempt {
  taskId: string;
  /** 1-based. A re-claim after a lost lease continues the same attempt (and adopts its run). */
  attempt: number;
  /** Leases this attempt held: 1, plus one per re-claim after a dispatcher died. */
  claims: number;
  /** The dispatcher holding (or last holding) its lease. */
  dispatcher: string;
  agent: string;
  agentRevision?: number;
  model?: ModelSelection;
  sessionId?: string;
  runId?: string;
  startedAt: number;
  endedAt?: number;
  outcome: AttemptOutcome;
  /** Classified failure (`rate_limit`, `timeout`, `server`, `lease_lost` …), for failed/blocked attempts. */
  errorClass?: string;
  error?: string;
  usage?: Usage;
  costUsd?: number;
  /** Artifact refs the attempt produced (CAS refs or workspace paths). */
  evidence: string[];
  /** For a failed attempt that was rescheduled: when the next one may start. */
  retryAt?: number;
}

/** Proof of a claim: every write about a running task presents it; a stale one is a `conflict`. */
export interface TaskLease {
  taskId: string;
  attempt: number;
  token: string;
  expiresAt: number;
}

export interface ClaimedTask {
  task: Task;
  attempt: TaskAttempt;
  lease: TaskLease;
  /**
   * True when this claim took over an attempt whose lease expired (its dispatcher died): submit the
   * run with the same idempotent submission id (`taskAttemptSubmissionId`) to adopt it.
   */
  adopted: boolean;
}

export interface ClaimOptions {
  /** Who claims (a dispatcher id: host + pid + start time); recorded on the attempt. */
  dispatcher: string;
  /** Tasks to claim at most (1..100, default 1). */
  limit?: number;
  /** Lease length in ms (default 30 s); renew before it runs out. */
  leaseMs?: number;
  /** Only tasks for these agents. */
  agents?: readonly string[];
  /**
   * Start no task of these agents (paused ones). Running tasks of theirs whose lease expired are
   * still adopted: their run exists already, and pausing stops starts, not work under way.
   */
  excludeAgents?: readonly string[];
  /** Adopt expired leases only, start nothing new (the whole universe is paused). */
  adoptOnly?: boolean;
  /** Running tasks allowed per concurrency key (tasks without a key are not limited by it). */
  maxRunningPerKey?: number;
  /** Running tasks allowed per agent: a default for all and overrides by agent name. */
  maxRunningPerAgent?: { default?: number; byAgent?: Readonly<Record<string, number>> };
}

/** Facts a dispatcher learns while an attempt runs (recorded on the attempt). */
export interface AttemptFacts {
  sessionId?: string;
  runId?: string;
  agentRevision?: number;
  model?: ModelSelection;
}

/** How an attempt ended, as the dispatcher reports it. */
export interface AttemptReport extends AttemptFacts {
  usage?: Usage;
  costUsd?: number;
  evidence?: readonly string[];
}

export interface AttemptFailure extends AttemptReport {
  errorClass: string;
  error: string;
  /** Transient failures retry while attempts remain; others fail the task now. */
  retryable: boolean;
  /** A provider's Retry-After: the next attempt waits at least this long (capped by `backoff.maxDelayMs`). */
  retryAfterMs?: number;
}

export interface AttemptBlock extends AttemptReport {
  /** Why the agent could not proceed (or which required evidence is missing). */
  reason: string;
  errorClass?: string;
}

export interface TaskListOptions {
  states?: readonly TaskState[];
  kind?: string;
  agent?: string;
  source?: string;
  concurrencyKey?: string;
  tag?: string;
  /** 1..1000, default 100. Newest first. */
  limit?: number;
  cursor?: string;
}

/** Queue health: depth by state and the age of the oldest claimable task. */
export interface TaskCounts {
  byState: Record<TaskState, number>;
  /** `availableAt` of the longest-waiting claimable task. */
  oldestQueuedAt?: number;
  /** Running tasks whose lease has run out (their dispatcher is probably gone). */
  expiredLeases: number;
  cancelRequested: number;
}

/**
 * The task queue of one universe. Writes about a running task take its lease and throw `conflict`
 * when the lease is no longer theirs; illegal transitions throw `conflict` naming the state;
 * bad input throws `invalid` (or `too_large` for an oversized payload) and enqueues nothing.
 */
export interface TaskQueue {
  enqueue(input: TaskInput): Promise<{ task: Task; deduped: boolean }>;
  get(taskId: string): Promise<Task | undefined>;
  /** The payload, read from CAS when it was stored there. */
  payload(task: Task): Promise<TaskJson>;
  list(options?: TaskListOptions): Promise<{ tasks: Task[]; nextCursor?: string }>;
  attempts(taskId: string): Promise<TaskAttempt[]>;
  counts(): Promise<TaskCounts>;
  /**
   * Claims up to `limit` tasks: first running tasks whose lease expired (adopted, same attempt), then
   * claimable ones by priority, fair turn across concurrency keys, age, within the limits.
   */
  claim(options: ClaimOptions): Promise<ClaimedTask[]>;
  /**
   * Extends the lease (and records facts); tells the dispatcher whether cancel was requested. A lease
   * that ran out but was not yet re-claimed can still be renewed; once re-claimed it is `conflict`.
   */
  renew(lease: TaskLease, options?: { leaseMs?: number; facts?: AttemptFacts }): Promise<{ lease: TaskLease; cancelRequested: boolean }>;
  succeed(lease: TaskLease, report?: AttemptReport): Promise<Task>;
  /** Reschedules with backoff (and Retry-After) while attempts remain and the failure is retryable. */
  fail(lease: TaskLease, failure: AttemptFailure): Promise<Task>;
  block(lease: TaskLease, block: AttemptBlock): Promise<Task>;
  /** The dispatcher acknowledges a cancel request: the run was cancelled. */
  cancelled(lease: TaskLease, report?: AttemptReport): Promise<Task>;
  /** Queued/scheduled → cancelled; running → `cancelRequested`; final → `conflict`. */
  cancel(taskId: string, reason?: string): Promise<Task>;
  /** Failed/blocked/cancelled → queued now, with one more attempt allowed if they were exhausted. */
  retry(taskId: string): Promise<Task>;
}

/** The idempotent submission id of an attempt's run: a re-claim after a crash submits the same one. */
export function taskAttemptSubmissionId(taskId: string, attempt: number): string {
  return `task:${taskId}:attempt:${attempt}`;
}

/**
 * Wake-ups of dispatchers: the queue signals a universe when work may have become claimable (an
 * enqueue, a retry, a settle that freed a concurrency slot). Across processes where the store can
 * carry it (LISTEN/NOTIFY on PostgreSQL), in-process otherwise; dispatchers still poll as a safety net.
 */
export interface TaskSignal {
  notify(universe: string): void;
  subscribe(listener: (universe: string) => void): () => void;
}
