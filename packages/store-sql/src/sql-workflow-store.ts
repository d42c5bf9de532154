import { canonicalJson } from '@lightspeed/engine';
import { LightspeedError, WORKFLOW_STATUSES, type Clock, type WorkflowChange, type WorkflowInstance, type WorkflowLedger, type WorkflowListOptions, type WorkflowStore } from '@lightspeed/ports';
import { checkId, checkUniverse, decodeCursor, encodeCursor } from './identifiers.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

/*
 * Workflow instances in the SQL store (migration 9). Which transition to take is decided by
 * `@lightspeed/schedules`; this keeps instances behind a version compare-and-set, so two
 * processes advancing one instance at once cannot both win.
 */

const COLUMNS = 'universe, instance_key, template_id, template, input, status, state, iteration, current_task_id, steps, history, reason, version, created_at, updated_at, finished_at';
/** Steps and history grow by a few hundred bytes a step; an instance larger than this is a runaway loop. */
export const MAX_WORKFLOW_INSTANCE_BYTES = 1024 * 1024;

interface InstanceRow {
  universe: string;
  instance_key: string;
  template_id: string;
  template: string;
  input: string;
  status: WorkflowInstance['status'];
  state: string;
  iteration: unknown;
  current_task_id: string | null;
  steps: string;
  history: string;
  reason: string | null;
  version: unknown;
  created_at: unknown;
  updated_at: unknown;
  finished_at: unknown;
}

function instanceOf(row: InstanceRow): WorkflowInstance {
  const instance: WorkflowInstance = {
    universe: row.universe,
    instanceKey: row.instance_key,
    templateId: row.template_id,
    template: JSON.parse(row.template) as WorkflowInstance['template'],
    input: JSON.parse(row.input) as WorkflowInstance['input'],
    status: row.status,
    state: row.state,
    iteration: numberOf(row.iteration),
    steps: JSON.parse(row.steps) as WorkflowInstance['steps'],
    history: JSON.parse(row.history) as WorkflowInstance['history'],
    version: numberOf(row.version),
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
  };
  if (row.current_task_id !== null) instance.currentTaskId = row.current_task_id;
  if (row.reason !== null) instance.reason = row.reason;
  if (row.finished_at !== null) instance.finishedAt = numberOf(row.finished_at);
  return instance;
}

function checkSize(...texts: string[]): void {
  const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  if (bytes > MAX_WORKFLOW_INSTANCE_BYTES) throw new LightspeedError('too_large', `a workflow instance may hold at most ${MAX_WORKFLOW_INSTANCE_BYTES} bytes of template, input, steps and history`, { field: 'workflow' });
}

export class SqlWorkflowStore implements WorkflowStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
  ) {
    this.universe = checkUniverse(universe);
  }

  async create(instance: Omit<WorkflowInstance, 'universe' | 'version' | 'createdAt' | 'updatedAt'>): Promise<{ instance: WorkflowInstance; created: boolean }> {
    const key = checkId('workflow', instance.instanceKey);
    const template = canonicalJson(instance.template);
    const input = canonicalJson(instance.input);
    const steps = JSON.stringify(instance.steps);
    const history = JSON.stringify(instance.history);
    checkSize(template, input, steps, history);
    const now = this.clock.now();
    const { rows } = await this.driver.query<InstanceRow>(
      `INSERT INTO ls_workflow_instances (universe, instance_key, template_id, template, input, status, state, iteration, current_task_id, steps, history, reason, version, created_at, updated_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13, $14)
       ON CONFLICT (universe, instance_key) DO NOTHING RETURNING ${COLUMNS}`,
      [this.universe, key, instance.templateId, template, input, instance.status, instance.state, instance.iteration, instance.currentTaskId ?? null, steps, history, instance.reason ?? null, now, instance.finishedAt ?? null],
    );
    if (rows[0]) return { instance: instanceOf(rows[0]), created: true };
    const existing = await this.get(key);
    if (!existing) throw new LightspeedError('conflict', `workflow ${key} was deleted while it was being created; create it again`, { instanceKey: key });
    return { instance: existing, created: false };
  }

  async get(instanceKey: string): Promise<WorkflowInstance | undefined> {
    const { rows } = await this.driver.query<InstanceRow>(`SELECT ${COLUMNS} FROM ls_workflow_instances WHERE universe = $1 AND instance_key = $2`, [this.universe, checkId('workflow', instanceKey)]);
    return rows[0] ? instanceOf(rows[0]) : undefined;
  }

  async list(options: WorkflowListOptions = {}): Promise<{ instances: WorkflowInstance[]; nextCursor?: string }> {
    const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 100), 1000));
    if (options.status !== undefined && !WORKFLOW_STATUSES.includes(options.status)) throw new LightspeedError('invalid', `status must be one of ${WORKFLOW_STATUSES.join(', ')}`, { field: 'status' });
    const after = options.cursor === undefined ? null : (decodeCursor(options.cursor, ['string'] as const, 'workflow list')[0] as string);
    const { rows } = await this.driver.query<InstanceRow>(
      `SELECT ${COLUMNS} FROM ls_workflow_instances
       WHERE universe = $1 AND ($2::text IS NULL OR instance_key > $2) AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR template_id = $4)
       ORDER BY instance_key LIMIT $5`,
      [this.universe, after, options.status ?? null, options.templateId ?? null, limit + 1],
    );
    const instances = rows.slice(0, limit).map(instanceOf);
    const last = instances[instances.length - 1];
    return rows.length > limit && last ? { instances, nextCursor: encodeCursor([last.instanceKey]) } : { instances };
  }

  async update(instanceKey: string, expectedVersion: number, change: WorkflowChange): Promise<WorkflowInstance | undefined> {
    const steps = JSON.stringify(change.steps);
    const history = JSON.stringify(change.history);
    checkSize(steps, history);
    const { rows } = await this.driver.query<InstanceRow>(
      `UPDATE ls_workflow_instances SET status = $4, state = $5, iteration = $6, current_task_id = $7, steps = $8, history = $9, reason = $10, finished_at = $11,
         version = version + 1, updated_at = $12
       WHERE universe = $1 AND instance_key = $2 AND version = $3 RETURNING ${COLUMNS}`,
      [this.universe, checkId('workflow', instanceKey), expectedVersion, change.status, change.state, change.iteration, change.currentTaskId ?? null, steps, history, change.reason ?? null, change.finishedAt ?? null, this.clock.now()],
    );
    return rows[0] ? instanceOf(rows[0]) : undefined;
  }
}

/** The leader's sweep: running instances whose step ended (or was never enqueued), in any universe. */
export class SqlWorkflowLedger implements WorkflowLedger {
  constructor(private readonly driver: SqlDriver) {}

  async stalled(limit: number): Promise<{ universe: string; instanceKey: string }[]> {
    const { rows } = await this.driver.query<{ universe: string; instance_key: string }>(
      `SELECT w.universe, w.instance_key FROM ls_workflow_instances w
       LEFT JOIN ls_tasks t ON t.universe = w.universe AND t.task_id = w.current_task_id
       WHERE w.status = 'running' AND (w.current_task_id IS NULL OR t.task_id IS NULL OR t.state IN ('succeeded', 'failed', 'blocked', 'cancelled'))
       ORDER BY w.updated_at LIMIT $1`,
      [Math.max(1, Math.min(Math.trunc(limit), 1000))],
    );
    return rows.map((row) => ({ universe: row.universe, instanceKey: row.instance_key }));
  }
}
