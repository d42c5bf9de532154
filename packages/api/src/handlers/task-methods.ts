import { isLightspeedError, type TaskInput, type TaskJson, type TaskQueue } from '@lightspeed/ports';
import { invalidRequest, notFound, rejected } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { ProfileCatalog } from '../profiles/profile-catalog.js';
import type { ProfileBody } from '../profiles/profile-checks.js';
import { taskPayloadProblems } from '../profiles/task-payload-schema.js';
import type { TaskCreateParams } from '../schemas/tasks.js';
import { taskAttemptView, taskView } from '../views/task-view.js';

export interface TaskMethodDeps {
  /** The task queue of a universe (the storage's, which publishes task events). */
  tasksOf: (universe: string) => TaskQueue;
  /** Agents are profiles: a task names one. */
  catalog: ProfileCatalog;
}

/**
 * The port refuses an illegal transition (cancel a finished task, retry a queued one) as a
 * `conflict` naming the state and action; re-reading cannot make it succeed, so the API answers
 * it as `rejected`, as it does for cancelling a finished run. Other conflicts (a retry that would
 * be a second holder of a dedupe key) stay conflicts.
 */
async function transition<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isLightspeedError(error, 'conflict') && typeof error.details?.state === 'string' && typeof error.details.action === 'string') throw rejected(error.message);
    throw error;
  }
}

/** The port's input from the wire's (times end in Ms there; null and absent mean the same). */
function taskInput(params: TaskCreateParams): TaskInput {
  const input: TaskInput = { kind: params.kind, agent: params.agent };
  if (params.source != null) input.source = params.source;
  if (params.subject != null) input.subject = params.subject;
  if (params.payload !== undefined) input.payload = params.payload as TaskJson;
  if (params.model != null) input.model = params.model as TaskInput['model'] & object;
  if (params.priority != null) input.priority = params.priority;
  if (params.availableAtMs != null) input.availableAt = params.availableAtMs;
  if (params.delayMs != null) input.delayMs = params.delayMs;
  if (params.maxAttempts != null) input.maxAttempts = params.maxAttempts;
  if (params.backoff != null) input.backoff = Object.fromEntries(Object.entries(params.backoff).filter(([, v]) => v !== undefined));
  if (params.timeoutMs != null) input.timeoutMs = params.timeoutMs;
  if (params.dedupeKey != null) input.dedupeKey = params.dedupeKey;
  if (params.concurrencyKey != null) input.concurrencyKey = params.concurrencyKey;
  if (params.tags != null) input.tags = params.tags;
  return input;
}

/** tasks/{create, read, list, cancel, retry} and tasks/attempts/list (Lightspeed extension), in the caller's universe. */
export function taskMethods({ tasksOf, catalog }: TaskMethodDeps): MethodHandlers {
  const existing = async (universe: string, taskId: string) => {
    const task = await tasksOf(universe).get(taskId);
    if (!task) throw notFound(`task ${taskId} does not exist; list tasks with tasks/list`);
    return task;
  };

  return {
    'tasks/create': async (params, { universe }) => {
      // Everything is checked before anything is written: an unknown agent or a payload its
      // schema refuses enqueues nothing.
      const profile = await catalog.store(universe).get(params.agent);
      if (!profile) throw notFound(`agent ${params.agent} does not exist; list agents with profiles/list, or store one with profiles/put (lightspeed agents sync)`);
      // The document was checked when it was stored (the schema compiles).
      const schema = (profile.document as ProfileBody).task?.schema;
      if (schema) {
        const problems = taskPayloadProblems(schema, params.payload);
        if (problems) throw invalidRequest(`payload does not match the task schema of agent ${params.agent} (revision ${profile.revision}): ${problems}`);
      }
      const { task, deduped } = await tasksOf(universe).enqueue(taskInput(params));
      return { result: { task: taskView(task), deduped } };
    },

    'tasks/read': async ({ taskId }, { universe }) => {
      const task = await existing(universe, taskId);
      return { result: { task: taskView(task, await tasksOf(universe).payload(task)) } };
    },

    'tasks/list': async (params, { universe }) => {
      const options = Object.fromEntries(Object.entries(params).filter(([, v]) => v != null));
      const { tasks, nextCursor } = await tasksOf(universe).list(options);
      return { result: { tasks: tasks.map((task) => taskView(task)), ...(nextCursor ? { nextCursor } : {}) } };
    },

    'tasks/cancel': async ({ taskId, reason }, { universe }) => {
      const task = await transition(() => tasksOf(universe).cancel(taskId, reason ?? undefined));
      return { result: { task: taskView(task) } };
    },

    'tasks/retry': async ({ taskId }, { universe }) => {
      const task = await transition(() => tasksOf(universe).retry(taskId));
      return { result: { task: taskView(task) } };
    },

    'tasks/attempts/list': async ({ taskId }, { universe }) => {
      await existing(universe, taskId);
      const attempts = await tasksOf(universe).attempts(taskId);
      return { result: { attempts: attempts.map(taskAttemptView) } };
    },
  };
}
