import { LightspeedError, STEP_OUTCOMES, WORKFLOW_FAIL, WORKFLOW_SUCCEED, type Clock, type StepOutcome, type Task, type TaskEvent, type TaskJson, type TaskQueue, type WorkflowChange, type WorkflowInstance, type WorkflowLedger, type WorkflowListOptions, type WorkflowStep, type WorkflowStore, type WorkflowTemplate, type WorkflowTransition } from '@lightspeed/ports';
import { renderJson, renderTask } from './task-template.js';

/*
 * The operations behind `workflows/*`, and the one place instances move. A move is: close the
 * current step with its outcome, pick the transition, enqueue the next step's task (its dedupe
 * key names the instance and the step number), then write the instance under its version. A crash
 * between the enqueue and the write is repaired by `sweep` (the scheduler's leader runs it every
 * tick): the same move is computed again and the enqueue finds the task it made.
 */

const KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const SOURCE_PREFIX = 'workflow:';
const FINAL: ReadonlySet<Task['state']> = new Set(['succeeded', 'failed', 'blocked', 'cancelled']);
/** Concurrent movers of one instance retry their compare-and-set this many times. */
const MAX_RACES = 8;

export interface WorkflowServiceOptions {
  workflows(universe: string): WorkflowStore;
  ledger: WorkflowLedger;
  tasks(universe: string): TaskQueue;
  /** The templates instances may be created from (built-in and the project's files). */
  templates(): Promise<readonly WorkflowTemplate[]>;
  clock: Clock;
}

export interface WorkflowCreateInput {
  templateId: string;
  instanceKey: string;
  input?: TaskJson;
  /** Per state, the agent to run instead of the template's (`{ plan: 'my-planner' }`). */
  agents?: Record<string, string>;
}

export interface WorkflowAdvanceInput {
  /** Go to this state (or `@succeeded` / `@failed`); default: the transition of `outcome`. */
  to?: string;
  /** The outcome to record for the current step (default: its task's, or `cancelled` if it still runs). */
  outcome?: StepOutcome;
  note?: string;
}

function invalid(field: string, message: string): LightspeedError {
  return new LightspeedError('invalid', `${field}: ${message}`, { field });
}

function notFound(key: string): LightspeedError {
  return new LightspeedError('not_found', `workflow ${key} does not exist; list them with workflows/list`, { instanceKey: key });
}

/** The instance key a step task belongs to (its `source`), or undefined for other tasks. */
export function workflowKeyOfTask(task: { source?: string }): string | undefined {
  return task.source?.startsWith(SOURCE_PREFIX) ? task.source.slice(SOURCE_PREFIX.length) : undefined;
}

/** What a step's task template may read: the input, the instance, and the latest step of each state. */
function stepContext(instance: Pick<WorkflowInstance, 'instanceKey' | 'templateId' | 'input' | 'iteration' | 'steps'>, state: string): TaskJson {
  const steps: Record<string, TaskJson> = {};
  for (const step of instance.steps) steps[step.state] = JSON.parse(JSON.stringify(step)) as TaskJson;
  const last = instance.steps[instance.steps.length - 1];
  return {
    input: instance.input,
    workflow: { instanceKey: instance.instanceKey, templateId: instance.templateId, iteration: instance.iteration, state },
    steps,
    last: last ? (JSON.parse(JSON.stringify(last)) as TaskJson) : null,
  };
}

export class WorkflowService {
  constructor(private readonly options: WorkflowServiceOptions) {}

  async templates(): Promise<readonly WorkflowTemplate[]> {
    return this.options.templates();
  }

  private async findTemplate(templateId: string): Promise<WorkflowTemplate> {
    const templates = await this.options.templates();
    const found = templates.find((t) => t.templateId === templateId);
    if (!found) throw new LightspeedError('not_found', `no workflow template ${templateId} (known: ${templates.map((t) => t.templateId).join(', ') || 'none'}); templates are YAML files in .lightspeed/workflows/`, { templateId });
    return found;
  }

  /** Creates the instance and enqueues its first step; the same key again answers the existing instance. */
  async create(universe: string, input: WorkflowCreateInput, by: 'create' | 'trigger' = 'create', eventId?: string): Promise<{ instance: WorkflowInstance; created: boolean }> {
    if (typeof input.instanceKey !== 'string' || !KEY.test(input.instanceKey)) throw invalid('instanceKey', '1-100 characters of [A-Za-z0-9._:-], starting with a letter or digit');
    const store = this.options.workflows(universe);
    const existing = await store.get(input.instanceKey);
    if (existing) return { instance: existing, created: false };
    const base = await this.findTemplate(input.templateId);
    const template: WorkflowTemplate = JSON.parse(JSON.stringify(base)) as WorkflowTemplate;
    for (const [state, agent] of Object.entries(input.agents ?? {})) {
      const spec = template.states[state];
      if (!spec) throw invalid(`agents.${state}`, `template ${base.templateId} has no state ${state} (states: ${Object.keys(template.states).join(', ')})`);
      if (typeof agent !== 'string' || agent.length === 0) throw invalid(`agents.${state}`, 'an agent name');
      spec.task = { ...spec.task, agent };
    }
    const now = this.options.clock.now();
    const first: WorkflowTransition = { at: now, from: null, to: template.initial, iteration: 1, by, ...(eventId !== undefined ? { eventId } : {}) };
    const { instance, created } = await store.create({
      instanceKey: input.instanceKey,
      templateId: template.templateId,
      template,
      input: input.input ?? null,
      status: 'running',
      state: template.initial,
      iteration: 1,
      steps: [],
      history: [first],
    });
    // The first step is enqueued by the same path that repairs a crash right after the insert.
    return { instance: created ? await this.settle(universe, instance.instanceKey) : instance, created };
  }

  async read(universe: string, instanceKey: string): Promise<WorkflowInstance> {
    const instance = await this.options.workflows(universe).get(instanceKey);
    if (!instance) throw notFound(instanceKey);
    return instance;
  }

  list(universe: string, options: WorkflowListOptions = {}) {
    return this.options.workflows(universe).list(options);
  }

  /**
   * Moves a running instance if its step is done: its task reached a final state, or it has no
   * task yet (enqueues it). Anything else is left as it is. Safe to call any number of times.
   */
  async settle(universe: string, instanceKey: string): Promise<WorkflowInstance> {
    return this.race(universe, instanceKey, async (instance) => {
      if (instance.status !== 'running') return undefined;
      if (instance.currentTaskId === undefined) return this.enterStep(universe, instance, { status: 'running', state: instance.state, iteration: instance.iteration, steps: instance.steps, history: instance.history });
      const task = await this.options.tasks(universe).get(instance.currentTaskId);
      if (task && !FINAL.has(task.state)) return undefined;
      const outcome: StepOutcome = task ? (task.state as StepOutcome) : 'failed';
      const next = this.template(instance).states[instance.state]?.on[outcome];
      return this.move(universe, instance, { outcome, to: next ?? WORKFLOW_FAIL, by: 'task', ...(next ? {} : { note: `state ${instance.state} has no transition for ${outcome}` }) }, task);
    });
  }

  /**
   * An operator's move: to a state (retry the current one by naming it), or by an outcome. A
   * trigger's move names its event: an instance that already moved for that event is left as it is
   * (a repaired dispatch must not move it twice).
   */
  async advance(universe: string, instanceKey: string, input: WorkflowAdvanceInput, by: 'operator' | 'trigger' = 'operator', eventId?: string): Promise<WorkflowInstance> {
    if (input.outcome !== undefined && !STEP_OUTCOMES.includes(input.outcome)) throw invalid('outcome', `one of ${STEP_OUTCOMES.join(', ')}`);
    // The step's task is cancelled only once the move is written: cancelled first, its end would
    // let a concurrent settle move the instance by the task's own transition (`cancelled`) first.
    let replaced: string | undefined;
    const moved = await this.race(universe, instanceKey, async (instance) => {
      replaced = undefined;
      if (eventId !== undefined && instance.history.some((transition) => transition.eventId === eventId)) return undefined;
      if (instance.status !== 'running') throw new LightspeedError('conflict', `workflow ${instanceKey} is ${instance.status}; only a running workflow moves`, { instanceKey, status: instance.status });
      const template = this.template(instance);
      if (input.to !== undefined && input.to !== WORKFLOW_SUCCEED && input.to !== WORKFLOW_FAIL && !template.states[input.to]) throw invalid('to', `no state ${input.to} (states: ${Object.keys(template.states).join(', ')}, or ${WORKFLOW_SUCCEED} / ${WORKFLOW_FAIL})`);
      const task = instance.currentTaskId ? await this.options.tasks(universe).get(instance.currentTaskId) : undefined;
      const outcome = input.outcome ?? (task && FINAL.has(task.state) && task.state !== 'cancelled' ? (task.state as StepOutcome) : 'cancelled');
      const to = input.to ?? template.states[instance.state]?.on[outcome] ?? WORKFLOW_FAIL;
      replaced = task && !FINAL.has(task.state) ? task.id : undefined;
      return this.move(universe, instance, { outcome, to, by, ...(input.note ? { note: input.note } : {}), ...(eventId !== undefined ? { eventId } : {}) }, task);
    });
    if (replaced !== undefined) await this.stopTask(universe, replaced);
    return moved;
  }

  async cancel(universe: string, instanceKey: string, reason?: string): Promise<WorkflowInstance> {
    // As in `advance`: the running step's task is cancelled once the cancel is written.
    let replaced: string | undefined;
    const cancelled = await this.race(universe, instanceKey, async (instance) => {
      if (instance.status !== 'running') throw new LightspeedError('conflict', `workflow ${instanceKey} is ${instance.status} already`, { instanceKey, status: instance.status });
      const task = instance.currentTaskId ? await this.options.tasks(universe).get(instance.currentTaskId) : undefined;
      replaced = task && !FINAL.has(task.state) ? task.id : undefined;
      const now = this.options.clock.now();
      const steps = this.closeStep(instance, task, 'cancelled', now);
      const transition: WorkflowTransition = { at: now, from: instance.state, to: '@cancelled', outcome: 'cancelled', iteration: instance.iteration, by: 'operator', ...(task ? { taskId: task.id, attempt: task.attempts } : {}), ...(reason ? { note: reason } : {}) };
      return { status: 'cancelled', state: instance.state, iteration: instance.iteration, steps, history: [...instance.history, transition], reason: reason ?? 'cancelled by an operator', finishedAt: now, ...this.lastTask(instance) };
    });
    if (replaced !== undefined) await this.stopTask(universe, replaced);
    return cancelled;
  }

  /** A task event: a step's task ended, so its instance moves now (the sweep would, a tick later). */
  async onTaskEvent(universe: string, event: TaskEvent): Promise<void> {
    if (!FINAL.has(event.task.state)) return;
    const key = workflowKeyOfTask(event.task);
    if (key !== undefined) await this.settle(universe, key);
  }

  /** Moves every stalled instance in the store (the leader runs it each tick); answers how many it looked at. */
  async sweep(limit = 100): Promise<number> {
    const stalled = await this.options.ledger.stalled(limit);
    for (const { universe, instanceKey } of stalled) await this.settle(universe, instanceKey);
    return stalled.length;
  }

  /** An ended instance keeps naming the task of its last step. */
  private lastTask(instance: WorkflowInstance): { currentTaskId?: string } {
    return instance.currentTaskId ? { currentTaskId: instance.currentTaskId } : {};
  }

  private template(instance: WorkflowInstance): WorkflowTemplate {
    return instance.template;
  }

  /** Cancels the step's task if it is still waiting or running; answers the task as it is then. */
  private async stopTask(universe: string, taskId: string): Promise<Task | undefined> {
    const queue = this.options.tasks(universe);
    const task = await queue.get(taskId);
    if (!task || FINAL.has(task.state)) return task;
    return queue.cancel(taskId, 'its workflow moved on');
  }

  private closeStep(instance: WorkflowInstance, task: Task | undefined, outcome: StepOutcome, now: number, evidence?: string[]): WorkflowStep[] {
    return instance.steps.map((step) => {
      if (step.taskId !== instance.currentTaskId || step.outcome !== undefined) return step;
      const closed: WorkflowStep = { ...step, outcome, endedAt: now };
      if (evidence && evidence.length > 0) closed.evidence = evidence;
      if (task?.lastError && outcome !== 'succeeded') closed.error = task.lastError.message;
      return closed;
    });
  }

  private async move(universe: string, instance: WorkflowInstance, how: { outcome: StepOutcome; to: string; by: WorkflowTransition['by']; note?: string; eventId?: string }, task: Task | undefined): Promise<WorkflowChange> {
    const now = this.options.clock.now();
    const attempts = task ? await this.options.tasks(universe).attempts(task.id) : [];
    const evidence = attempts[attempts.length - 1]?.evidence;
    const steps = this.closeStep(instance, task, how.outcome, now, evidence);
    const template = this.template(instance);
    let to = how.to;
    let iteration = instance.iteration;
    let reason: string | undefined;
    // A loop back into the first state is a new iteration; past the cap the instance fails.
    if (to === template.initial && instance.state !== template.initial) {
      iteration += 1;
      if (iteration > template.maxIterations) {
        reason = `iteration cap reached: ${template.maxIterations} iteration(s), the last ${instance.state} step ended ${how.outcome}`;
        to = WORKFLOW_FAIL;
        iteration = instance.iteration;
      }
    }
    if (to === WORKFLOW_FAIL && reason === undefined) reason = how.note ?? `${instance.state} ended ${how.outcome}`;
    const transition: WorkflowTransition = { at: now, from: instance.state, to, outcome: how.outcome, iteration, by: how.by, ...(task ? { taskId: task.id, attempt: task.attempts } : {}), ...(how.note ? { note: how.note } : {}), ...(how.eventId !== undefined ? { eventId: how.eventId } : {}) };
    const history = [...instance.history, transition];
    if (to === WORKFLOW_SUCCEED) return { status: 'succeeded', state: instance.state, iteration, steps, history, finishedAt: now, ...this.lastTask(instance) };
    if (to === WORKFLOW_FAIL) return { status: 'failed', state: instance.state, iteration, steps, history, reason: reason!, finishedAt: now, ...this.lastTask(instance) };
    return this.enterStep(universe, instance, { status: 'running', state: to, iteration, steps, history });
  }

  /** Enqueues the task of `change.state` (deduped by instance and step number) and records the step. */
  private async enterStep(universe: string, instance: WorkflowInstance, change: WorkflowChange): Promise<WorkflowChange> {
    const spec = this.template(instance).states[change.state];
    if (!spec) return { ...change, status: 'failed', reason: `the template has no state ${change.state}`, finishedAt: this.options.clock.now() };
    const context = stepContext({ ...instance, iteration: change.iteration, steps: change.steps }, change.state);
    const stepNumber = change.steps.length + 1;
    const source = `${SOURCE_PREFIX}${instance.instanceKey}`;
    const stepTag = `workflow-step:${stepNumber}`;
    // A move repeated after a crash between this enqueue and the instance write must find the task
    // it made even when that task has ended since (the dedupe key covers only waiting and running
    // tasks): the step's tag names it in any state.
    const queue = this.options.tasks(universe);
    const stateTag = `workflow-state:${change.state}`;
    const made = (await queue.list({ source, tag: stepTag, limit: 10 })).tasks.find((task) => task.tags.includes(stateTag));
    if (made) return { ...change, currentTaskId: made.id, steps: [...change.steps, { state: change.state, iteration: change.iteration, taskId: made.id, startedAt: made.createdAt }] };
    const taskInput = renderTask(spec.task, context, {
      source,
      dedupeKey: `workflow:${instance.instanceKey}:step:${stepNumber}:${change.state}`,
      tags: [`workflow:${instance.templateId}`, stateTag, stepTag],
    });
    if (spec.evidence) {
      const evidence = renderJson(spec.evidence, context);
      const payload = taskInput.payload;
      taskInput.payload = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? { ...payload, evidence } : { value: payload ?? null, evidence };
    }
    const { task } = await queue.enqueue(taskInput);
    const step: WorkflowStep = { state: change.state, iteration: change.iteration, taskId: task.id, startedAt: this.options.clock.now() };
    return { ...change, currentTaskId: task.id, steps: [...change.steps, step] };
  }

  /** Reads, decides, writes under the version; a lost race decides again on the fresh instance. */
  private async race(universe: string, instanceKey: string, decide: (instance: WorkflowInstance) => Promise<WorkflowChange | undefined>): Promise<WorkflowInstance> {
    const store = this.options.workflows(universe);
    for (let round = 0; round < MAX_RACES; round++) {
      const instance = await store.get(instanceKey);
      if (!instance) throw notFound(instanceKey);
      const change = await decide(instance);
      if (!change) return instance;
      const written = await store.update(instanceKey, instance.version, change);
      if (written) return written;
    }
    throw new LightspeedError('conflict', `workflow ${instanceKey} kept changing while it was being moved; try again`, { instanceKey });
  }
}
