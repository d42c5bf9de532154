import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, ScheduleLedger, ScheduleRecord, ScheduleStore, TaskQueue } from '@lightspeed/ports';
import { planFires } from './fire-plan.js';
import { fireTimes } from './fire-times.js';
import { enqueueFire, isActive } from './schedule-firing.js';

export interface SchedulerOptions {
  ledger: ScheduleLedger;
  schedules(universe: string): ScheduleStore;
  tasks(universe: string): TaskQueue;
  clock: Clock;
  /** Who acts (default host + pid + a random suffix); the lead is held under this name. */
  owner?: string;
  /** How long the lead lasts without renewal (default 15 s); a crashed leader is replaced after it. */
  leaseMs?: number;
  /** Pause between ticks of `start()` (default 1 s). */
  tickMs?: number;
  /** Due schedules handled per tick at most (default 1,000); the rest wait for the next tick. */
  batch?: number;
  /** Runs after each tick while this scheduler leads (the trigger repair sweep hangs here). */
  afterTick?: (now: number) => Promise<void>;
  log?: (line: string) => void;
}

export interface TickReport {
  /** False when another scheduler holds the lead: this one did nothing. */
  leading: boolean;
  /** Due schedules looked at. */
  schedules: number;
  /** Tasks created. */
  enqueued: number;
  /** Schedules whose state changed under us (a put, a pause) and were left for the next tick. */
  conflicts: number;
}

/**
 * The scheduler: at most one acts at a time across processes (the lead is a lease row taken by
 * compare-and-set, and every state write is fenced by it), so two servers on one PostgreSQL never
 * double-fire. Each tick takes the due schedules, plans their fires (`planFires`: catch-up, then
 * overlap), enqueues the tasks through the task queue and writes the state by compare-and-set.
 */
export class Scheduler {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly tickMs: number;
  private readonly batch: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: SchedulerOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.tickMs = options.tickMs ?? 1_000;
    this.batch = options.batch ?? 1_000;
  }

  async tick(): Promise<TickReport> {
    const report: TickReport = { leading: false, schedules: 0, enqueued: 0, conflicts: 0 };
    if (!(await this.options.ledger.lead(this.owner, this.leaseMs))) return report;
    report.leading = true;
    const now = this.options.clock.now();
    const due = await this.options.ledger.due(now, this.batch);
    report.schedules = due.length;
    for (const record of due) {
      try {
        const outcome = await this.fire(record, now);
        if (outcome === undefined) report.conflicts++;
        else report.enqueued += outcome;
      } catch (error) {
        // One schedule's failure (its universe's store unavailable) must not stop the others.
        this.options.log?.(`[scheduler] schedule ${record.universe}/${record.definition.scheduleId}: ${(error as Error).message}`);
      }
    }
    await this.options.afterTick?.(now);
    return report;
  }

  /** Tasks created for one due schedule, or undefined when its state changed under us. */
  private async fire(record: ScheduleRecord, now: number): Promise<number | undefined> {
    const { definition, universe } = record;
    const queue = this.options.tasks(universe);
    const previous = record.state.lastTaskId ? await queue.get(record.state.lastTaskId) : undefined;
    const times = fireTimes(definition.spec, record.createdAt);
    const plan = planFires(definition, record.state, times, now, isActive(previous?.state));
    let enqueued = 0;
    for (const fireAt of plan.fires) {
      const outcome = await enqueueFire(queue, definition, plan.state, fireAt, now);
      if (outcome.result === 'enqueued') enqueued++;
    }
    if (plan.fires.length === 0 && plan.state.bufferedAt !== undefined && record.state.bufferedAt === undefined) {
      plan.state.lastOutcome = { at: now, fireAt: plan.state.bufferedAt, result: 'buffered' };
    } else if (plan.fires.length === 0 && plan.state.skipped > record.state.skipped) {
      plan.state.lastOutcome = { at: now, fireAt: record.state.nextAt ?? now, result: 'skipped_overlap', ...(record.state.lastTaskId ? { taskId: record.state.lastTaskId } : {}) };
    }
    // A buffered fire whose previous task still runs comes back every tick: no write when nothing changed.
    if (plan.fires.length === 0 && JSON.stringify(plan.state) === JSON.stringify(record.state)) return 0;
    const written = await this.options.schedules(universe).updateState(definition.scheduleId, record.stateVersion, plan.state, { owner: this.owner });
    return written ? enqueued : undefined;
  }

  /** Ticks every `tickMs` until `stop()`. A failed tick is logged and the loop goes on. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .then(
          () => undefined,
          (error: unknown) => this.options.log?.(`[scheduler] tick failed: ${(error as Error).message}`),
        )
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.tickMs);
        });
    };
    loop();
  }

  /** Stops ticking, waits for a tick in progress, and gives the lead up. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.options.ledger.resign(this.owner).catch(() => undefined);
  }
}
