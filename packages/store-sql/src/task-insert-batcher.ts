import type { SqlDriver } from './sql-driver.js';
import { StatementBatcher } from './statement-batcher.js';
import type { SqlTaskSignal } from './task-signal.js';
import { COLUMNS, type TaskRow } from './task-rows.js';

/*
 * New tasks of one (universe, concurrency key) arriving together — a webhook burst whose trigger
 * makes a task per event — go out as one statement: one take of the key's fair-tag counter row
 * (which serialises same-key enqueues: one at a time they queue on its lock) and one commit for
 * the batch. The tags are exactly those one-at-a-time enqueues would get: the first is one past
 * the key's last tag (or the virtual time, whichever is later), the rest follow it.
 */

/** A checked task row to insert (see SqlTaskQueue.enqueue for the columns). */
export interface TaskInsert {
  taskId: string;
  kind: string;
  source: string | null;
  subject: string | null;
  payload: string | null;
  payloadRef: string | null;
  agent: string;
  model: string | null;
  priority: number;
  availableAt: number;
  maxAttempts: number;
  backoff: string;
  timeoutMs: number | null;
  dedupeKey: string | null;
  concurrencyKey: string;
  tags: string;
  now: number;
}

/**
 * The virtual time of the fair queue: the tag of the next claimable task; with none, the last tag
 * handed out, so a drained queue does not restart below its past. `$1` is the universe, `$2` now.
 */
export const VIRTUAL_TIME = `COALESCE((SELECT fair_tag FROM ls_tasks WHERE universe = $1 AND state = 'queued' AND available_at <= $2
    ORDER BY priority DESC, fair_tag, created_at, task_id LIMIT 1),
  (SELECT max(last_tag) FROM ls_task_fair_keys WHERE universe = $1), 0)`;

/** The batch insert; with `notify`, the statement also notifies other processes (at its commit). */
const insertMany = (notify: string | undefined) => `WITH tag AS (
  INSERT INTO ls_task_fair_keys AS k (universe, concurrency_key, last_tag) VALUES ($1, $3, ${VIRTUAL_TIME} + $4::bigint - 1)
  ON CONFLICT (universe, concurrency_key) DO UPDATE SET last_tag = GREATEST(EXCLUDED.last_tag, k.last_tag + $4::bigint)
  RETURNING last_tag)
INSERT INTO ls_tasks (universe, task_id, kind, source, subject, payload, payload_ref, agent, model, priority, state, available_at, fair_tag,
  max_attempts, attempts, backoff, timeout_ms, dedupe_key, concurrency_key, tags, cancel_requested, created_at, updated_at)
SELECT $1, t.task_id, t.kind, t.source, t.subject, t.payload, t.payload_ref, t.agent, t.model, t.priority, 'queued', t.available_at,
  tag.last_tag - $4::bigint + t.ord, t.max_attempts, 0, t.backoff, t.timeout_ms, t.dedupe_key, $3, t.tags::jsonb, false, t.created_at, t.created_at
FROM tag${notify ? `, (SELECT ${notify}) AS notified` : ''}, unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::bigint[],
    $15::int[], $16::text[], $17::bigint[], $18::text[], $19::text[], $20::bigint[])
  WITH ORDINALITY AS t(task_id, kind, source, subject, payload, payload_ref, agent, model, priority, available_at,
    max_attempts, backoff, timeout_ms, dedupe_key, tags, created_at, ord)
ORDER BY t.ord
ON CONFLICT (universe, dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING
RETURNING ${COLUMNS}`;

export class TaskInsertBatcher {
  private readonly batcher: StatementBatcher<TaskInsert, TaskRow | undefined>;
  private readonly sql: string;

  /**
   * @param signal the Storage's own task signal: the batch statement then sends the cross-process
   *   wake-up itself (one fewer statement per batch) and this process's listeners are told after it.
   */
  constructor(
    private readonly driver: SqlDriver,
    private readonly now: () => number,
    maxInFlight: number,
    private readonly signal?: SqlTaskSignal,
  ) {
    this.sql = insertMany(signal?.notifySql('$1'));
    this.batcher = new StatementBatcher(maxInFlight, (key, items) => this.insertMany(key.slice(0, key.indexOf('\u0000')), items), { onePerKey: true, weight: (task) => (task.payload?.length ?? 0) + task.tags.length + (task.subject?.length ?? 0) });
  }

  /** Whether the batch statement wakes dispatchers itself (the caller then does not notify). */
  get notifies(): boolean {
    return this.signal !== undefined;
  }

  /** The inserted row, or undefined when an active task holds its dedupe key (the caller reads it). */
  insert(universe: string, task: TaskInsert): Promise<TaskRow | undefined> {
    return this.batcher.submit(`${universe}\u0000${task.concurrencyKey}`, task);
  }

  private async insertMany(universe: string, items: TaskInsert[]): Promise<(TaskRow | undefined)[]> {
    const column = <K extends keyof TaskInsert>(key: K) => items.map((item) => item[key]);
    const { rows } = await this.driver.query<TaskRow>(this.sql, [
      universe,
      this.now(),
      items[0]!.concurrencyKey,
      items.length,
      column('taskId'),
      column('kind'),
      column('source'),
      column('subject'),
      column('payload'),
      column('payloadRef'),
      column('agent'),
      column('model'),
      column('priority'),
      column('availableAt'),
      column('maxAttempts'),
      column('backoff'),
      column('timeoutMs'),
      column('dedupeKey'),
      column('tags'),
      column('now'),
    ]);
    if (rows.length > 0) this.signal?.notifiedBy(universe);
    const byId = new Map(rows.map((row) => [row.task_id, row]));
    return items.map((item) => byId.get(item.taskId));
  }
}
