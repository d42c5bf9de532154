import { LightspeedError, type Clock, type ScheduleOutcome, type ScheduleRecord, type ScheduleState, type ScheduleStore, type Task, type TaskQueue } from '@lightspeed/ports';
import { countSkippedWhilePaused } from './fire-plan.js';
import { fireTimes, upcoming } from './fire-times.js';
import { checkScheduleDefinition, type ScheduleInput } from './schedule-definition.js';
import { enqueueFire } from './schedule-firing.js';

/** A schedule as the API shows it: the record, the next fire times, and its last task's state. */
export interface ScheduleView {
  record: ScheduleRecord;
  /** The next `preview` fire times (default 5); empty while paused or when the spec has no future fire. */
  upcoming: number[];
  lastTask?: Pick<Task, 'id' | 'state' | 'attempts' | 'updatedAt' | 'finishedAt'>;
}

export interface ScheduleServiceOptions {
  schedules(universe: string): ScheduleStore;
  tasks(universe: string): TaskQueue;
  clock: Clock;
}

/** State writes race the scheduler's tick; a few rounds of read-modify-write settle them. */
const CAS_ROUNDS = 8;

function notFound(scheduleId: string): LightspeedError {
  return new LightspeedError('not_found', `schedule ${scheduleId} does not exist; list them with schedules/list`, { scheduleId });
}

/**
 * The operations behind `schedules/*`: put (validated, next fire computed), read with a preview,
 * list, delete, pause, resume (fires that fell in the pause are counted as missed, never run),
 * and run-now (one task now; the timer is not reset).
 */
export class ScheduleService {
  constructor(private readonly options: ScheduleServiceOptions) {}

  async put(universe: string, input: ScheduleInput, expectedRevision?: number): Promise<ScheduleView> {
    const definition = checkScheduleDefinition(input);
    const store = this.options.schedules(universe);
    const now = this.options.clock.now();
    const existing = await store.get(definition.scheduleId);
    const nextAt = fireTimes(definition.spec, existing?.createdAt ?? now).next(now);
    const record = await store.put(definition, nextAt, expectedRevision);
    return this.view(universe, record);
  }

  async read(universe: string, scheduleId: string, preview = 5): Promise<ScheduleView> {
    const record = await this.options.schedules(universe).get(scheduleId);
    if (!record) throw notFound(scheduleId);
    return this.view(universe, record, preview);
  }

  async list(universe: string, options: { limit?: number; cursor?: string } = {}): Promise<{ schedules: ScheduleView[]; nextCursor?: string }> {
    const page = await this.options.schedules(universe).list(options);
    const schedules = await Promise.all(page.schedules.map((record) => this.view(universe, record, 1, false)));
    return page.nextCursor ? { schedules, nextCursor: page.nextCursor } : { schedules };
  }

  async delete(universe: string, scheduleId: string): Promise<ScheduleRecord> {
    return this.options.schedules(universe).delete(scheduleId);
  }

  async pause(universe: string, scheduleId: string): Promise<ScheduleView> {
    return this.view(universe, await this.modify(universe, scheduleId, (state) => (state.paused ? undefined : { ...state, paused: true })));
  }

  async resume(universe: string, scheduleId: string): Promise<ScheduleView> {
    const now = this.options.clock.now();
    const record = await this.modify(universe, scheduleId, (state, current) => {
      if (!state.paused) return undefined;
      const { missed, nextAt } = countSkippedWhilePaused(fireTimes(current.definition.spec, current.createdAt), state.nextAt, now);
      return { ...state, paused: false, nextAt, missed: state.missed + missed };
    });
    return this.view(universe, record);
  }

  /** One task now, whatever the overlap policy (an operator asked for it); the next fire stays where it was. */
  async run(universe: string, scheduleId: string): Promise<{ view: ScheduleView; outcome: ScheduleOutcome }> {
    const queue = this.options.tasks(universe);
    const now = this.options.clock.now();
    let outcome: ScheduleOutcome | undefined;
    const record = await this.modify(universe, scheduleId, async (state, current) => {
      const next = { ...state };
      // The dedupe key carries the request time: a retried round finds the task it made.
      outcome = await enqueueFire(queue, current.definition, next, now, now, true);
      return next;
    });
    return { view: await this.view(universe, record), outcome: outcome! };
  }

  private async modify(
    universe: string,
    scheduleId: string,
    change: (state: ScheduleState, record: ScheduleRecord) => ScheduleState | undefined | Promise<ScheduleState | undefined>,
  ): Promise<ScheduleRecord> {
    const store = this.options.schedules(universe);
    for (let round = 0; round < CAS_ROUNDS; round++) {
      const record = await store.get(scheduleId);
      if (!record) throw notFound(scheduleId);
      const next = await change(record.state, record);
      if (next === undefined) return record;
      const written = await store.updateState(scheduleId, record.stateVersion, next);
      if (written) return written;
    }
    throw new LightspeedError('unavailable', `schedule ${scheduleId} kept changing while it was updated; try again`, { scheduleId });
  }

  private async view(universe: string, record: ScheduleRecord, preview = 5, withTask = true): Promise<ScheduleView> {
    const times = fireTimes(record.definition.spec, record.createdAt);
    const next = record.state.nextAt;
    const ahead = record.state.paused || next === null ? [] : [next, ...upcoming(times, next, Math.max(0, Math.min(preview, 100) - 1))];
    const view: ScheduleView = { record, upcoming: ahead.slice(0, Math.max(0, preview)) };
    if (withTask && record.state.lastTaskId) {
      const task = await this.options.tasks(universe).get(record.state.lastTaskId);
      if (task) view.lastTask = { id: task.id, state: task.state, attempts: task.attempts, updatedAt: task.updatedAt, ...(task.finishedAt !== undefined ? { finishedAt: task.finishedAt } : {}) };
    }
    return view;
  }
}
