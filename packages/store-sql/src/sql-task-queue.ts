import { randomUUID } from 'node:crypto';
import {
  DEFAULT_BACKOFF,
  LightspeedError,
  TASK_STATES,
  type AttemptBlock,
  type AttemptFacts,
  type AttemptFailure,
  type AttemptOutcome,
  type AttemptReport,
  type BackoffPolicy,
  type BlobStore,
  type ClaimedTask,
  type ClaimOptions,
  type Clock,
  type Task,
  type TaskAttempt,
  type TaskCounts,
  type TaskInput,
  type TaskJson,
  type TaskLease,
  type TaskListOptions,
  type TaskQueue,
  type TaskSignal,
  type TaskState,
} from '@lightspeed/ports';
import { checkId, checkUniverse, decodeCursor, encodeCursor } from './identifiers.js';
import { numberOf, type SqlDriver, type SqlExecutor } from './sql-driver.js';
import { retryDelayMs } from './task-backoff.js';
import { checkReport, checkTaskInput, clip, MAX_ERROR_TEXT, positiveInt, refuse } from './task-input.js';
import { TaskInsertBatcher, VIRTUAL_TIME, type TaskInsert } from './task-insert-batcher.js';
import { ATTEMPT_COLUMNS, attemptOf, attemptParams, attemptSet, COLUMNS, qualified, taskOf, type AttemptRow, type TaskRow } from './task-rows.js';

export interface TaskQueueOptions {
  /** Largest payload accepted, as canonical JSON (default 1 MiB). */
  maxPayloadBytes?: number;
  /** Payloads above this size (default 16 KiB) are stored in CAS and the row keeps the ref. */
  inlinePayloadBytes?: number;
  defaultBackoff?: BackoffPolicy;
  /** Source of jitter, [0, 1). */
  random?: () => number;
  /** Told of every enqueue and retry, so dispatchers wake at once instead of at their next poll. */
  signal?: TaskSignal;
}

export const DEFAULT_MAX_TASK_PAYLOAD_BYTES = 1024 * 1024;
export const DEFAULT_INLINE_TASK_PAYLOAD_BYTES = 16 * 1024;
export const DEFAULT_LEASE_MS = 30_000;
const MAX_CLAIM_BATCH = 100;

/** Where an attempt ends up: the task's next state and the attempt's outcome. */
interface Settlement {
  state: Exclude<TaskState, 'scheduled' | 'running'>;
  outcome: AttemptOutcome;
  errorClass?: string;
  error?: string;
  retryAt?: number;
  /** Only valid while a cancel is requested (the dispatcher acknowledging it). */
  requireCancel?: boolean;
}

function leaseLost(taskId: string): LightspeedError {
  return new LightspeedError('conflict', `the lease on task ${taskId} is no longer held by this claim (it expired and was re-claimed, or the task finished); stop working on it`, {
    taskId,
    reason: 'lease_lost',
  });
}

function illegal(task: Task, action: string): LightspeedError {
  return new LightspeedError('conflict', `cannot ${action} task ${task.id}: it is ${task.state}`, { taskId: task.id, state: task.state, action });
}


/**
 * The task queue of one universe in the SQL store (PGlite and PostgreSQL alike).
 *
 * Claim order is priority (higher first), then the fair tag, then age. Fair tags are start-time
 * fair queuing across concurrency keys: a task's tag is one past the last tag handed out to its key
 * (`ls_task_fair_keys`), but never below the queue's virtual time (the tag of the task that would be claimed next). A key with 10,000 queued
 * tasks therefore holds tags V..V+9,999 while a newcomer key starts at V: it is served next, not
 * after the backlog. Tasks without a key share one turn ('').
 *
 * Claims lock rows with `FOR UPDATE SKIP LOCKED`, so concurrent dispatchers take disjoint tasks.
 * Concurrency limits are checked exactly under transaction-scoped advisory locks per key and agent
 * (taken in one sorted order, so two claimers cannot deadlock); a cheap pre-filter in the scan
 * keeps saturated keys from filling the candidate window.
 */
export class SqlTaskQueue implements TaskQueue {
  private readonly universe: string;
  private readonly maxPayloadBytes: number;
  private readonly inlinePayloadBytes: number;
  private readonly defaultBackoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly signal: TaskSignal | undefined;
  private readonly inserts: TaskInsertBatcher;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    options: TaskQueueOptions = {},
    /** Shared by the Storage's queues: concurrent enqueues of one concurrency key share a statement. */
    inserts?: TaskInsertBatcher,
  ) {
    this.inserts = inserts ?? new TaskInsertBatcher(driver, () => clock.now(), 1);
    this.universe = checkUniverse(universe);
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_TASK_PAYLOAD_BYTES;
    this.inlinePayloadBytes = options.inlinePayloadBytes ?? DEFAULT_INLINE_TASK_PAYLOAD_BYTES;
    this.defaultBackoff = options.defaultBackoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.signal = options.signal;
  }

  async enqueue(input: TaskInput): Promise<{ task: Task; deduped: boolean }> {
    const now = this.clock.now();
    const checked = checkTaskInput(input, now, { maxPayloadBytes: this.maxPayloadBytes, defaultBackoff: this.defaultBackoff });
    let payload: string | null = checked.payloadText;
    let payloadRef: string | null = null;
    const bytes = Buffer.from(checked.payloadText);
    if (bytes.byteLength > this.inlinePayloadBytes) {
      payloadRef = (await this.blobs.put(bytes, { mediaType: 'application/json' })).ref;
      payload = null;
    }
    const task: TaskInsert = {
      taskId: `task_${randomUUID()}`,
      kind: checked.kind,
      source: checked.source ?? null,
      subject: checked.subject ?? null,
      payload,
      payloadRef,
      agent: checked.agent,
      model: checked.model ? JSON.stringify(checked.model) : null,
      priority: checked.priority,
      availableAt: checked.availableAt,
      maxAttempts: checked.maxAttempts,
      backoff: JSON.stringify(checked.backoff),
      timeoutMs: checked.timeoutMs ?? null,
      dedupeKey: checked.dedupeKey ?? null,
      concurrencyKey: checked.concurrencyKey,
      tags: JSON.stringify(checked.tags),
      now,
    };
    // Rounds: an active task holding the dedupe key can finish between our insert and our read of it.
    for (let round = 0; round < 3; round++) {
      const row = await this.inserts.insert(this.universe, task);
      if (row) {
        if (!this.inserts.notifies) this.signal?.notify(this.universe);
        return { task: taskOf(row, now), deduped: false };
      }
      const existing = await this.driver.query<TaskRow>(
        `SELECT ${COLUMNS} FROM ls_tasks WHERE universe = $1 AND dedupe_key = $2 AND state IN ('queued', 'running')`,
        [this.universe, checked.dedupeKey],
      );
      if (existing.rows[0]) return { task: taskOf(existing.rows[0], now), deduped: true };
    }
    throw new LightspeedError('conflict', `tasks with dedupe key ${checked.dedupeKey} keep finishing and starting concurrently; retry`, { dedupeKey: checked.dedupeKey });
  }

  async get(taskId: string): Promise<Task | undefined> {
    const row = await this.row(this.driver, taskId);
    return row ? taskOf(row, this.clock.now()) : undefined;
  }

  async payload(task: Task): Promise<TaskJson> {
    if (task.payloadRef === undefined) return task.payload ?? null;
    const bytes = await this.blobs.get(task.payloadRef);
    if (!bytes) throw new LightspeedError('not_found', `the payload blob ${task.payloadRef} of task ${task.id} is missing`, { taskId: task.id, ref: task.payloadRef });
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as TaskJson;
  }

  async list(options: TaskListOptions = {}): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const now = this.clock.now();
    const limit = positiveInt('limit', options.limit, 100, 1000);
    for (const state of options.states ?? []) if (!TASK_STATES.includes(state)) refuse('states', `must name states from ${TASK_STATES.join(', ')}`);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, ['number', 'string'] as const, 'task list');
    const { rows } = await this.driver.query<TaskRow>(
      `SELECT ${COLUMNS} FROM ls_tasks WHERE universe = $1
         AND ($3::text[] IS NULL OR (state <> 'queued' AND state = ANY($3::text[]))
              OR (state = 'queued' AND available_at <= $2 AND 'queued' = ANY($3::text[]))
              OR (state = 'queued' AND available_at > $2 AND 'scheduled' = ANY($3::text[])))
         AND ($4::text IS NULL OR kind = $4) AND ($5::text IS NULL OR agent = $5) AND ($6::text IS NULL OR source = $6)
         AND ($7::text IS NULL OR concurrency_key = $7) AND ($8::text IS NULL OR tags @> jsonb_build_array($8::text))
         AND ($9::bigint IS NULL OR (created_at, task_id) < ($9::bigint, $10::text))
       ORDER BY created_at DESC, task_id DESC LIMIT $11`,
      [
        this.universe, now, options.states?.length ? [...options.states] : null, options.kind ?? null, options.agent ?? null, options.source ?? null,
        options.concurrencyKey ?? null, options.tag ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1,
      ],
    );
    const tasks = rows.slice(0, limit).map((row) => taskOf(row, now));
    const last = tasks[tasks.length - 1];
    return rows.length > limit && last ? { tasks, nextCursor: encodeCursor([last.createdAt, last.id]) } : { tasks };
  }

  async attempts(taskId: string): Promise<TaskAttempt[]> {
    const { rows } = await this.driver.query<AttemptRow>(`SELECT ${ATTEMPT_COLUMNS} FROM ls_task_attempts WHERE universe = $1 AND task_id = $2 ORDER BY attempt`, [
      this.universe,
      checkId('task', taskId),
    ]);
    return rows.map(attemptOf);
  }

  async counts(): Promise<TaskCounts> {
    const now = this.clock.now();
    const byState = Object.fromEntries(TASK_STATES.map((state) => [state, 0])) as Record<TaskState, number>;
    const { rows } = await this.driver.query<{ state: TaskState; n: unknown }>(
      `SELECT CASE WHEN state = 'queued' AND available_at > $2 THEN 'scheduled' ELSE state END AS state, count(*) AS n FROM ls_tasks WHERE universe = $1 GROUP BY 1`,
      [this.universe, now],
    );
    for (const row of rows) byState[row.state] = numberOf(row.n);
    const health = await this.driver.query<{ oldest: unknown; expired: unknown; cancel_requested: unknown }>(
      `SELECT (SELECT min(available_at) FROM ls_tasks WHERE universe = $1 AND state = 'queued' AND available_at <= $2) AS oldest,
              count(*) FILTER (WHERE lease_expires_at <= $2) AS expired, count(*) FILTER (WHERE cancel_requested) AS cancel_requested
       FROM ls_tasks WHERE universe = $1 AND state = 'running'`,
      [this.universe, now],
    );
    const h = health.rows[0]!;
    const counts: TaskCounts = { byState, expiredLeases: numberOf(h.expired), cancelRequested: numberOf(h.cancel_requested) };
    if (h.oldest !== null) counts.oldestQueuedAt = numberOf(h.oldest);
    return counts;
  }

  async claim(options: ClaimOptions): Promise<ClaimedTask[]> {
    const dispatcher = options.dispatcher;
    if (typeof dispatcher !== 'string' || dispatcher.length === 0 || dispatcher.length > 256) refuse('dispatcher', 'must be 1-256 characters');
    const limit = positiveInt('limit', options.limit, 1, MAX_CLAIM_BATCH);
    const leaseMs = positiveInt('leaseMs', options.leaseMs, DEFAULT_LEASE_MS, 24 * 60 * 60_000);
    const perKey = options.maxRunningPerKey === undefined ? undefined : positiveInt('maxRunningPerKey', options.maxRunningPerKey, 1);
    const agentLimits = options.maxRunningPerAgent;
    const agentDefault = agentLimits?.default === undefined ? undefined : positiveInt('maxRunningPerAgent.default', agentLimits.default, 1);
    const agentNames = Object.keys(agentLimits?.byAgent ?? {});
    const agentCaps = agentNames.map((agent) => positiveInt(`maxRunningPerAgent.byAgent.${agent}`, agentLimits!.byAgent![agent], 1));
    const agentLimited = agentDefault !== undefined || agentNames.length > 0;
    const agents = options.agents === undefined ? null : [...options.agents];
    const excluded = options.excludeAgents === undefined || options.excludeAgents.length === 0 ? null : [...options.excludeAgents];
    const now = this.clock.now();
    const token = randomUUID();
    const expiresAt = now + leaseMs;
    const limited = perKey !== undefined || agentLimited;
    // Without limits every step is one self-contained statement; limits need a transaction to hold
    // the key/agent locks between the count and the claim.
    const within = <T>(fn: (executor: SqlExecutor) => Promise<T>): Promise<T> => (limited ? this.driver.transaction(fn) : fn(this.driver));
    return within(async (executor) => {
      // 1. Adopt running tasks whose lease ran out: same attempt, one more claim, no attempt spent.
      const adopted = await executor.query<TaskRow & { attempt_json: string }>(
        // Materialised: the planner may otherwise re-run a LIMITed SKIP LOCKED subquery and take more rows.
        `WITH picked AS MATERIALIZED (
           SELECT task_id FROM ls_tasks WHERE universe = $1 AND state = 'running' AND lease_expires_at <= $2 AND ($7::text[] IS NULL OR agent = ANY($7::text[]))
           ORDER BY lease_expires_at LIMIT $6 FOR UPDATE SKIP LOCKED),
         moved AS (
           UPDATE ls_tasks t SET lease_token = $3, lease_owner = $4, lease_expires_at = $5, updated_at = $2
           FROM picked WHERE t.universe = $1 AND t.task_id = picked.task_id RETURNING ${qualified(COLUMNS, 't')}),
         claim_attempt AS (
           UPDATE ls_task_attempts a SET claims = a.claims + 1, dispatcher = $4 FROM moved
           WHERE a.universe = $1 AND a.task_id = moved.task_id AND a.attempt = moved.attempts + 1 RETURNING ${qualified(ATTEMPT_COLUMNS, 'a')})
         SELECT moved.*, to_jsonb(claim_attempt)::text AS attempt_json FROM moved JOIN claim_attempt ON claim_attempt.task_id = moved.task_id ORDER BY moved.lease_expires_at`,
        [this.universe, now, token, dispatcher, expiresAt, limit, agents],
      );
      const claimed = this.claimedOf(adopted.rows, token, expiresAt, now, true);
      const remaining = limit - claimed.length;
      if (remaining === 0 || options.adoptOnly === true) return claimed;
      // 2. Fresh claims in claim order, skipping rows other claimers hold (and, with limits, keys
      // and agents at their limit: pre-filtered in the scan, then checked exactly under locks).
      let ids: string[] | null = null;
      if (limited) {
        const candidates = await executor.query<{ task_id: string; agent: string; concurrency_key: string }>(
          `SELECT task_id, agent, concurrency_key FROM ls_tasks t
           WHERE universe = $1 AND state = 'queued' AND available_at <= $2 AND ($3::text[] IS NULL OR agent = ANY($3::text[]))
             AND ($10::text[] IS NULL OR NOT (agent = ANY($10::text[])))
             AND ($4::int IS NULL OR concurrency_key = '' OR (SELECT count(*) FROM ls_tasks r WHERE r.universe = $1 AND r.state = 'running' AND r.concurrency_key = t.concurrency_key) < $4::int)
             AND (NOT $5::boolean OR (SELECT count(*) FROM ls_tasks r WHERE r.universe = $1 AND r.state = 'running' AND r.agent = t.agent)
                  < COALESCE((SELECT l.n FROM unnest($6::text[], $7::int[]) AS l(agent, n) WHERE l.agent = t.agent), $8::int, 2147483647))
           ORDER BY priority DESC, fair_tag, created_at, task_id
           LIMIT $9 FOR UPDATE SKIP LOCKED`,
          [this.universe, now, agents, perKey ?? null, agentLimited, agentNames, agentCaps, agentDefault ?? null, remaining * 4, excluded],
        );
        const cap = (agent: string) => (agentLimited ? (agentLimits?.byAgent?.[agent] ?? agentDefault) : undefined);
        ids = (await this.withinLimits(executor, candidates.rows, remaining, perKey, cap)).map((row) => row.task_id);
        if (ids.length === 0) return claimed;
      }
      const started = await executor.query<TaskRow & { attempt_json: string }>(
        `WITH picked AS MATERIALIZED (
           SELECT task_id FROM ls_tasks WHERE universe = $1 AND state = 'queued' AND available_at <= $2 AND ($7::text[] IS NULL OR agent = ANY($7::text[]))
             AND ($8::text[] IS NULL OR task_id = ANY($8::text[])) AND ($9::text[] IS NULL OR NOT (agent = ANY($9::text[])))
           ORDER BY priority DESC, fair_tag, created_at, task_id LIMIT $6 FOR UPDATE SKIP LOCKED),
         moved AS (
           UPDATE ls_tasks t SET state = 'running', lease_token = $3, lease_owner = $4, lease_expires_at = $5, updated_at = $2
           FROM picked WHERE t.universe = $1 AND t.task_id = picked.task_id RETURNING ${qualified(COLUMNS, 't')}, t.fair_tag),
         claim_attempt AS (
           INSERT INTO ls_task_attempts (universe, task_id, attempt, claims, dispatcher, agent, model, started_at, outcome, evidence)
           SELECT $1, task_id, attempts + 1, 1, $4, agent, model, $2, 'running', '[]'::jsonb FROM moved RETURNING ${ATTEMPT_COLUMNS})
         SELECT moved.*, to_jsonb(claim_attempt)::text AS attempt_json FROM moved JOIN claim_attempt ON claim_attempt.task_id = moved.task_id
         ORDER BY moved.priority DESC, moved.fair_tag, moved.created_at, moved.task_id`,
        [this.universe, now, token, dispatcher, expiresAt, ids ? ids.length : remaining, agents, ids, excluded],
      );
      return [...claimed, ...this.claimedOf(started.rows, token, expiresAt, now, false)];
    });
  }

  /**
   * The exact limit check: lock every key and agent the candidates touch (sorted, so claimers
   * cannot deadlock), recount their running tasks now that no other claimer can add to them, and
   * accept candidates in claim order while they fit.
   */
  private async withinLimits<C extends { agent: string; concurrency_key: string }>(
    tx: SqlExecutor,
    candidates: C[],
    remaining: number,
    perKey: number | undefined,
    agentCap: (agent: string) => number | undefined,
  ): Promise<C[]> {
    const keys = perKey === undefined ? [] : [...new Set(candidates.map((c) => c.concurrency_key).filter((key) => key !== ''))];
    const agents = [...new Set(candidates.map((c) => c.agent).filter((agent) => agentCap(agent) !== undefined))];
    const locks = [...keys.map((key) => JSON.stringify([this.universe, 'key', key])), ...agents.map((agent) => JSON.stringify([this.universe, 'agent', agent]))];
    if (locks.length === 0) return candidates;
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS k ORDER BY k) AS sorted`, [locks]);
    const running = await tx.query<{ what: string; name: string; n: unknown }>(
      `SELECT 'key' AS what, concurrency_key AS name, count(*) AS n FROM ls_tasks WHERE universe = $1 AND state = 'running' AND concurrency_key = ANY($2::text[]) GROUP BY concurrency_key
       UNION ALL
       SELECT 'agent', agent, count(*) FROM ls_tasks WHERE universe = $1 AND state = 'running' AND agent = ANY($3::text[]) GROUP BY agent`,
      [this.universe, keys, agents],
    );
    const byKey = new Map<string, number>();
    const byAgent = new Map<string, number>();
    for (const row of running.rows) (row.what === 'key' ? byKey : byAgent).set(row.name, numberOf(row.n));
    const accepted: C[] = [];
    for (const candidate of candidates) {
      if (accepted.length === remaining) break;
      const key = candidate.concurrency_key;
      const keyed = perKey !== undefined && key !== '';
      const cap = agentCap(candidate.agent);
      if (keyed && (byKey.get(key) ?? 0) >= perKey) continue;
      if (cap !== undefined && (byAgent.get(candidate.agent) ?? 0) >= cap) continue;
      if (keyed) byKey.set(key, (byKey.get(key) ?? 0) + 1);
      if (cap !== undefined) byAgent.set(candidate.agent, (byAgent.get(candidate.agent) ?? 0) + 1);
      accepted.push(candidate);
    }
    return accepted;
  }

  private claimedOf(rows: (TaskRow & { attempt_json: string })[], token: string, expiresAt: number, now: number, adopted: boolean): ClaimedTask[] {
    return rows.map((row) => {
      const attempt = attemptOf(JSON.parse(row.attempt_json) as AttemptRow);
      return { task: taskOf(row, now), attempt, lease: { taskId: row.task_id, attempt: attempt.attempt, token, expiresAt }, adopted };
    });
  }

  async renew(lease: TaskLease, options: { leaseMs?: number; facts?: AttemptFacts } = {}): Promise<{ lease: TaskLease; cancelRequested: boolean }> {
    const leaseMs = positiveInt('leaseMs', options.leaseMs, DEFAULT_LEASE_MS, 24 * 60 * 60_000);
    const facts = options.facts ?? {};
    checkReport(facts);
    const now = this.clock.now();
    const { rows } = await this.driver.query<{ cancel_requested: boolean }>(
      `WITH moved AS (
         UPDATE ls_tasks SET lease_expires_at = $5, updated_at = $4
         WHERE universe = $1 AND task_id = $2 AND state = 'running' AND lease_token = $6 AND attempts + 1 = $3 RETURNING task_id, cancel_requested),
       recorded AS (UPDATE ls_task_attempts a SET ${attemptSet(7)} FROM moved WHERE a.universe = $1 AND a.task_id = moved.task_id AND a.attempt = $3)
       SELECT cancel_requested FROM moved`,
      [this.universe, lease.taskId, lease.attempt, now, now + leaseMs, lease.token, ...attemptParams(facts, {})],
    );
    if (!rows[0]) throw leaseLost(lease.taskId);
    return { lease: { ...lease, expiresAt: now + leaseMs }, cancelRequested: rows[0].cancel_requested };
  }

  succeed(lease: TaskLease, report: AttemptReport = {}): Promise<Task> {
    return this.settle(lease, report, () => ({ state: 'succeeded', outcome: 'succeeded' }));
  }

  fail(lease: TaskLease, failure: AttemptFailure): Promise<Task> {
    if (typeof failure?.errorClass !== 'string' || failure.errorClass.length === 0) refuse('errorClass', 'is required for a failed attempt');
    if (failure.retryAfterMs !== undefined && (!Number.isSafeInteger(failure.retryAfterMs) || failure.retryAfterMs < 0)) refuse('retryAfterMs', 'must be a whole number of ms ≥ 0');
    const error = { errorClass: failure.errorClass, error: clip(String(failure.error ?? '')) };
    return this.settle(lease, failure, (task, now) => {
      const spent = task!.attempts + 1;
      // A cancel request wins over a retry: the operator asked for this task to stop.
      if (task!.cancelRequested) return { state: 'cancelled', outcome: 'failed', ...error };
      if (!failure.retryable || spent >= task!.maxAttempts) return { state: 'failed', outcome: 'failed', ...error };
      const retryAt = now + retryDelayMs(task!.backoff, spent, this.random(), failure.retryAfterMs);
      return { state: 'queued', outcome: 'failed', retryAt, ...error };
    }, true);
  }

  block(lease: TaskLease, block: AttemptBlock): Promise<Task> {
    if (typeof block?.reason !== 'string' || block.reason.length === 0) refuse('reason', 'is required when an attempt is blocked');
    return this.settle(lease, block, () => ({ state: 'blocked', outcome: 'blocked', errorClass: block.errorClass ?? 'blocked', error: clip(block.reason) }));
  }

  cancelled(lease: TaskLease, report: AttemptReport = {}): Promise<Task> {
    return this.settle(lease, report, () => ({ state: 'cancelled', outcome: 'cancelled', requireCancel: true }));
  }

  /**
   * Ends the leased attempt in one statement: the task moves to the state `decide` picks (queued
   * again for a retry, with its `availableAt`) only while the lease is still this claim's, and the
   * attempt records its outcome. A decision that depends on the row (a failure's retry) reads it
   * first and writes only if `cancel_requested` is unchanged since, deciding again if it moved.
   */
  private async settle(
    lease: TaskLease,
    report: AttemptReport,
    decide: (task: Task | undefined, now: number) => Settlement,
    needsRow = false,
  ): Promise<Task> {
    checkReport(report);
    const holds = (row: TaskRow | undefined): row is TaskRow => row !== undefined && row.state === 'running' && row.lease_token === lease.token && numberOf(row.attempts) + 1 === lease.attempt;
    for (let round = 0; round < 3; round++) {
      const now = this.clock.now();
      const current = needsRow ? await this.row(this.driver, lease.taskId) : undefined;
      if (needsRow && !holds(current)) throw leaseLost(lease.taskId);
      const outcome = decide(current && taskOf(current, now), now);
      const expectCancel = current ? current.cancel_requested : outcome.requireCancel ? true : null;
      const { rows } = await this.driver.query<TaskRow>(
        `WITH moved AS (
           UPDATE ls_tasks SET state = $4, attempts = attempts + 1, lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = $5,
             available_at = COALESCE($6::bigint, available_at), finished_at = $7::bigint, last_error_class = $8, last_error = $9, cancel_requested = false
           WHERE universe = $1 AND task_id = $2 AND state = 'running' AND lease_token = $10 AND attempts + 1 = $3
             AND ($11::boolean IS NULL OR cancel_requested = $11::boolean)
           RETURNING ${COLUMNS}),
         recorded AS (UPDATE ls_task_attempts a SET ${attemptSet(12)} FROM moved WHERE a.universe = $1 AND a.task_id = moved.task_id AND a.attempt = $3)
         SELECT * FROM moved`,
        [
          this.universe, lease.taskId, lease.attempt, outcome.state, now, outcome.retryAt ?? null, outcome.state === 'queued' ? null : now,
          outcome.errorClass ?? null, outcome.error ?? null, lease.token, expectCancel, ...attemptParams(report, { ...outcome, endedAt: now }),
        ],
      );
      if (rows[0]) return taskOf(rows[0], now);
      const after = await this.row(this.driver, lease.taskId);
      if (!holds(after)) throw leaseLost(lease.taskId);
      if (outcome.requireCancel && !after.cancel_requested) throw illegal(taskOf(after, now), 'acknowledge a cancel of (no cancel was requested)');
      // cancel_requested changed between our read and our write: decide again.
    }
    throw new LightspeedError('conflict', `task ${lease.taskId} kept changing while its attempt was being settled; retry`, { taskId: lease.taskId });
  }

  async cancel(taskId: string, reason?: string): Promise<Task> {
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_ERROR_TEXT)) refuse('reason', `must be at most ${MAX_ERROR_TEXT} characters`);
    checkId('task', taskId);
    const now = this.clock.now();
    // Waiting tasks end here; a running one is flagged, and its dispatcher ends the run.
    const { rows } = await this.driver.query<TaskRow>(
      `UPDATE ls_tasks SET state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,
         cancel_requested = state = 'running', finished_at = CASE WHEN state = 'queued' THEN $3::bigint END,
         last_error_class = 'cancelled', last_error = $4, updated_at = $3
       WHERE universe = $1 AND task_id = $2 AND state IN ('queued', 'running') RETURNING ${COLUMNS}`,
      [this.universe, taskId, now, reason ?? 'cancelled by an operator'],
    );
    if (rows[0]) return taskOf(rows[0], now);
    throw illegal(await this.existing(taskId), 'cancel');
  }

  async retry(taskId: string): Promise<Task> {
    checkId('task', taskId);
    const now = this.clock.now();
    try {
      const { rows } = await this.driver.query<TaskRow>(
        `UPDATE ls_tasks SET state = 'queued', available_at = $2, max_attempts = GREATEST(max_attempts, attempts + 1), cancel_requested = false,
           finished_at = NULL, updated_at = $2, fair_tag = ${VIRTUAL_TIME}
         WHERE universe = $1 AND task_id = $3 AND state IN ('failed', 'blocked', 'cancelled') RETURNING ${COLUMNS}`,
        [this.universe, now, taskId],
      );
      if (rows[0]) {
        this.signal?.notify(this.universe);
        return taskOf(rows[0], now);
      }
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505') {
        throw new LightspeedError('conflict', `cannot retry task ${taskId}: another task with its dedupe key is queued or running`, { taskId, reason: 'deduped' });
      }
      throw error;
    }
    throw illegal(await this.existing(taskId), 'retry');
  }

  private async existing(taskId: string): Promise<Task> {
    const task = await this.get(taskId);
    if (!task) throw new LightspeedError('not_found', `task ${taskId} does not exist`, { taskId });
    return task;
  }

  private async row(executor: SqlExecutor, taskId: string, forUpdate = false): Promise<TaskRow | undefined> {
    checkId('task', taskId);
    const { rows } = await executor.query<TaskRow>(`SELECT ${COLUMNS} FROM ls_tasks WHERE universe = $1 AND task_id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [this.universe, taskId]);
    return rows[0];
  }
}
