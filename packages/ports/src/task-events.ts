import type { Task, TaskState } from './task-queue.js';

/*
 * Task events: one per transition of a task, so a console (or `lightspeed tasks watch`) can follow
 * a universe's queue live. They are published by a decorator around every TaskQueue the storage
 * hands out (`observedTaskQueue`), so the API and every dispatcher emit the same events. Nothing is
 * stored: a subscriber sees what is published while it listens (the queue itself is the record).
 */

/**
 * What happened:
 * - `created`: enqueued (a deduped enqueue is no transition and publishes nothing);
 * - `claimed`: a dispatcher took it (state `running`; `adopted` when it took over a dead one's attempt);
 * - `succeeded`, `failed`, `blocked`, `cancelled`: it reached that final state;
 * - `rescheduled`: an attempt failed and the task waits for its next one (`availableAt`);
 * - `cancel_requested`: an operator cancelled it while it ran; the dispatcher cancels the run;
 * - `retried`: an operator moved a finished task back to `queued`.
 */
export type TaskEventType = 'created' | 'claimed' | 'succeeded' | 'failed' | 'blocked' | 'cancelled' | 'rescheduled' | 'cancel_requested' | 'retried';

export const TASK_EVENT_TYPES: readonly TaskEventType[] = ['created', 'claimed', 'succeeded', 'failed', 'blocked', 'cancelled', 'rescheduled', 'cancel_requested', 'retried'];

/** A task as events carry it: no payload, bounded text (it crosses PostgreSQL NOTIFY, < 8000 bytes). */
export interface TaskEventTask {
  id: string;
  kind: string;
  source?: string;
  subject?: string;
  agent: string;
  state: TaskState;
  priority: number;
  attempts: number;
  maxAttempts: number;
  availableAt: number;
  cancelRequested: boolean;
  concurrencyKey?: string;
  tags: string[];
  lastError?: { class: string; message: string };
  createdAt: number;
  updatedAt: number;
  finishedAt?: number;
}

export interface TaskEvent {
  type: TaskEventType;
  /** When the transition was observed (epoch ms). */
  at: number;
  task: TaskEventTask;
  /** The attempt the transition concerns (claims and settles). */
  attempt?: number;
  /** For `claimed`: the attempt of a dispatcher that died was taken over. */
  adopted?: boolean;
}

/**
 * Fan-out of task events by universe. Publishing never blocks on subscribers and never throws;
 * delivery is best effort (a subscriber that must not miss a task re-reads `tasks/list`).
 */
export interface TaskEventChannel {
  publish(universe: string, event: TaskEvent): void;
  subscribe(universe: string, listener: (event: TaskEvent) => void): () => void;
  /** Resolves once subscriptions receive events (a cross-process channel has connected and listens). */
  ready(): Promise<void>;
}

/** Longest `lastError.message` an event carries (the task itself keeps up to 4,096 characters). */
export const TASK_EVENT_ERROR_CHARS = 500;

/** The event form of a task: the payload dropped, the error message clipped. */
export function taskEventTask(task: Task): TaskEventTask {
  const out: TaskEventTask = {
    id: task.id,
    kind: task.kind,
    agent: task.agent,
    state: task.state,
    priority: task.priority,
    attempts: task.attempts,
    maxAttempts: task.maxAttempts,
    availableAt: task.availableAt,
    cancelRequested: task.cancelRequested,
    tags: [...task.tags],
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
  };
  if (task.source !== undefined) out.source = task.source;
  if (task.subject !== undefined) out.subject = task.subject;
  if (task.concurrencyKey !== undefined) out.concurrencyKey = task.concurrencyKey;
  if (task.finishedAt !== undefined) out.finishedAt = task.finishedAt;
  if (task.lastError) {
    const message = task.lastError.message;
    out.lastError = { class: task.lastError.class, message: message.length > TASK_EVENT_ERROR_CHARS ? `${message.slice(0, TASK_EVENT_ERROR_CHARS - 1)}…` : message };
  }
  return out;
}
