import type { TaskTemplate } from './schedules.js';
import type { TaskJson, TaskState } from './task-queue.js';

/*
 * Goal-loop workflows (operations layer, issue 15): multi-step goals whose every step is a task.
 * A template is data (a YAML file beside the agent definitions); an instance is durable in the
 * store and advances when its current step's task ends. This port is the storage half; templates,
 * transitions and the advancing are `@lightspeed/schedules` (docs/0023-workflows.md).
 */

/** How a step ended: its task's final state (or an operator's word for it). */
export type StepOutcome = Extract<TaskState, 'succeeded' | 'failed' | 'blocked' | 'cancelled'>;

export const STEP_OUTCOMES: readonly StepOutcome[] = ['succeeded', 'failed', 'blocked', 'cancelled'];

/** Where a transition goes: another state of the template, or the end of the instance. */
export type WorkflowTarget = string;

/** The pseudo-states that end an instance. */
export const WORKFLOW_SUCCEED = '@succeeded';
export const WORKFLOW_FAIL = '@failed';

export interface WorkflowStateSpec {
  /** The step's task; string values may use `{{input.*}}`, `{{workflow.*}}`, `{{steps.<state>.*}}`, `{{last.*}}`. */
  task: TaskTemplate;
  /** Artifacts (workspace paths) the step must produce; given to the task as `payload.evidence`. */
  evidence?: string[];
  /** Outcome → next state (or `@succeeded` / `@failed`). An outcome not listed fails the instance. */
  on: Partial<Record<StepOutcome, WorkflowTarget>>;
  description?: string;
}

export interface WorkflowTemplate {
  templateId: string;
  description?: string;
  /** The first state; entering it again starts a new iteration. */
  initial: string;
  /** Iterations allowed: looping back into `initial` once more than this fails the instance. */
  maxIterations: number;
  states: Record<string, WorkflowStateSpec>;
}

export type WorkflowStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export const WORKFLOW_STATUSES: readonly WorkflowStatus[] = ['running', 'succeeded', 'failed', 'cancelled'];

/** One move of an instance: from a state to the next, and why. */
export interface WorkflowTransition {
  at: number;
  /** Null for the first step. */
  from: string | null;
  /** A state, or `@succeeded` / `@failed` / `@cancelled`. */
  to: string;
  /** The outcome of the step left (absent for the first step and operator moves without one). */
  outcome?: StepOutcome;
  /** The task of the step left, and the attempt that ended it. */
  taskId?: string;
  attempt?: number;
  iteration: number;
  by: 'create' | 'task' | 'operator' | 'trigger';
  note?: string;
  /** For `by: 'trigger'`: the sensor event that caused it (a repaired dispatch finds its move done). */
  eventId?: string;
}

/** A step as the instance records it: its task, and how it ended once it did. */
export interface WorkflowStep {
  state: string;
  iteration: number;
  taskId: string;
  outcome?: StepOutcome;
  /** Evidence the step's attempt reported (artifact refs or workspace paths). */
  evidence?: string[];
  error?: string;
  startedAt: number;
  endedAt?: number;
}

export interface WorkflowInstance {
  universe: string;
  /** Chosen by the creator: creating the same key again returns this instance (idempotent). */
  instanceKey: string;
  templateId: string;
  /** The template as it was when the instance was created: editing the file does not change it. */
  template: WorkflowTemplate;
  input: TaskJson;
  status: WorkflowStatus;
  /** The current state (the last one once the instance ended). */
  state: string;
  iteration: number;
  /** The current step's task (the last step's once ended); absent only between a transition and its enqueue. */
  currentTaskId?: string;
  steps: WorkflowStep[];
  history: WorkflowTransition[];
  /** Why it failed or was cancelled. */
  reason?: string;
  /** Bumped by every write: the compare-and-set guard of `update`. */
  version: number;
  createdAt: number;
  updatedAt: number;
  finishedAt?: number;
}

/** What `update` writes (the identity fields never change). */
export type WorkflowChange = Pick<WorkflowInstance, 'status' | 'state' | 'iteration' | 'steps' | 'history'> & { currentTaskId?: string; reason?: string; finishedAt?: number };

export interface WorkflowListOptions {
  status?: WorkflowStatus;
  templateId?: string;
  /** 1..1000, default 100, in key order. */
  limit?: number;
  cursor?: string;
}

/** The workflow instances of one universe. */
export interface WorkflowStore {
  /** Inserts it unless the key exists; either way answers the stored instance. */
  create(instance: Omit<WorkflowInstance, 'universe' | 'version' | 'createdAt' | 'updatedAt'>): Promise<{ instance: WorkflowInstance; created: boolean }>;
  get(instanceKey: string): Promise<WorkflowInstance | undefined>;
  list(options?: WorkflowListOptions): Promise<{ instances: WorkflowInstance[]; nextCursor?: string }>;
  /** Writes the change if the version is still `expectedVersion`; undefined when it is not. */
  update(instanceKey: string, expectedVersion: number, change: WorkflowChange): Promise<WorkflowInstance | undefined>;
}

/** Across universes: running instances that need a move (what the leader's sweep repairs). */
export interface WorkflowLedger {
  /**
   * Running instances whose current task has reached a final state, or that have no current task
   * (a crash between a transition and its enqueue); oldest update first.
   */
  stalled(limit: number): Promise<{ universe: string; instanceKey: string }[]>;
}
