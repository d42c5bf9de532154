import type { ScheduleDefinition, ScheduleOutcome, ScheduleState, TaskJson, TaskQueue, TaskState } from '@lightspeed/ports';
import { renderTask } from './task-template.js';

/*
 * Turning one fire of a schedule into a task, shared by the scheduler's tick and `schedules/run`.
 * The dedupe key names the schedule and the fire time, so a fire repeated after a crash between
 * the enqueue and the state write (or by a leader that lost its lease mid-tick) finds the task it
 * made while that task is still waiting or running.
 */

const ACTIVE: ReadonlySet<TaskState> = new Set(['queued', 'scheduled', 'running']);

export function isActive(state: TaskState | undefined): boolean {
  return state !== undefined && ACTIVE.has(state);
}

/** What a template sees: `schedule.id`, `fire.at` (epoch ms), `fire.iso`, `fire.manual`. */
export function fireContext(definition: ScheduleDefinition, fireAt: number, manual: boolean): TaskJson {
  return { schedule: { id: definition.scheduleId, description: definition.description ?? null }, fire: { at: fireAt, iso: new Date(fireAt).toISOString(), manual } };
}

export function fireDedupeKey(scheduleId: string, fireAt: number, manual: boolean): string {
  return `schedule:${scheduleId}:${manual ? 'run:' : ''}${fireAt}`;
}

/** Enqueues one fire and folds its outcome into the state (counters, last task, last outcome). */
export async function enqueueFire(queue: TaskQueue, definition: ScheduleDefinition, state: ScheduleState, fireAt: number, now: number, manual = false): Promise<ScheduleOutcome> {
  const id = definition.scheduleId;
  let outcome: ScheduleOutcome;
  try {
    const input = renderTask(definition.task, fireContext(definition, fireAt, manual), { source: `schedule:${id}`, dedupeKey: fireDedupeKey(id, fireAt, manual), tags: [`schedule:${id}`] });
    const { task, deduped } = await queue.enqueue(input);
    state.lastTaskId = task.id;
    if (!deduped) state.fired++;
    outcome = { at: now, fireAt, result: deduped ? 'deduped' : 'enqueued', taskId: task.id, ...(manual ? { manual } : {}) };
  } catch (error) {
    // A template the queue refuses (a rendered payload too large, an agent name too long): the
    // schedule keeps its timer and shows why, rather than stopping every later fire.
    outcome = { at: now, fireAt, result: 'failed', error: ((error as Error).message ?? String(error)).slice(0, 500), ...(manual ? { manual } : {}) };
  }
  state.lastFireAt = fireAt;
  state.lastOutcome = outcome;
  return outcome;
}
