import type { ModelSelection } from '@lightspeed/engine';
import type { TaskJson } from './task-queue.js';

/*
 * Schedules (operations layer, issue 15): recurring work that becomes tasks. This port is the
 * storage half; the scheduler that decides when and what to enqueue is `@lightspeed/schedules`
 * (docs/0021-schedules-and-triggers.md).
 */

/** When a schedule fires: every N ms from an anchor, or a cron expression in an IANA timezone. */
export type ScheduleSpec =
  | { kind: 'interval'; everyMs: number; /** Fires at anchorAt + k·everyMs (default: when it was created). */ anchorAt?: number }
  | { kind: 'cron'; /** 5 fields, 6 with seconds first, or @hourly/@daily/@weekly/@monthly/@yearly. */ expression: string; /** IANA name (default UTC). */ timezone?: string };

/**
 * What happens to fires missed while no scheduler ran (downtime, or a pause that ended):
 * - `coalesce`: at most one task for all of them, then the next fire after now;
 * - `skip`: none of them; only a fire that is at most `windowMs` late runs;
 * - `all`: one task per missed fire that is at most `windowMs` late (bounded per tick).
 */
export type CatchUpPolicy = 'coalesce' | 'skip' | 'all';

/**
 * What happens when a fire comes while the schedule's previous task is still queued or running:
 * `skip` it (counted), `buffer_one` (run once when the previous one finishes; more are skipped),
 * or `allow` a second task beside it.
 */
export type OverlapPolicy = 'skip' | 'buffer_one' | 'allow';

/**
 * The task a schedule or trigger creates. String values of `payload` and `subject` may hold
 * `{{path}}` placeholders (a schedule offers `schedule.id`, `fire.at`, `fire.iso`; a trigger
 * `event.*`); a string that is exactly one placeholder takes the value with its JSON type.
 */
export interface TaskTemplate {
  kind: string;
  agent: string;
  payload?: TaskJson;
  subject?: string;
  model?: ModelSelection;
  priority?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  concurrencyKey?: string;
  tags?: string[];
}

export interface ScheduleDefinition {
  scheduleId: string;
  spec: ScheduleSpec;
  task: TaskTemplate;
  catchUp: { policy: CatchUpPolicy; /** How late a fire may be and still run. */ windowMs: number };
  overlap: OverlapPolicy;
  description?: string;
}

/** How the last fire (or manual run) of a schedule ended. */
export interface ScheduleOutcome {
  at: number;
  /** The fire time it was for (the time of the request for a manual run). */
  fireAt: number;
  result: 'enqueued' | 'deduped' | 'skipped_overlap' | 'buffered' | 'failed';
  manual?: boolean;
  taskId?: string;
  error?: string;
}

/** What the scheduler keeps about a schedule between fires. */
export interface ScheduleState {
  paused: boolean;
  /** The next fire time; null when the spec has no future fire. */
  nextAt: number | null;
  /** A fire held back by `buffer_one` until the previous task finishes. */
  bufferedAt?: number;
  lastFireAt?: number;
  /** The most recent task it created: overlap is judged by this task's state. */
  lastTaskId?: string;
  lastOutcome?: ScheduleOutcome;
  /** Tasks created (fires and manual runs). */
  fired: number;
  /** Fires that never ran: coalesced into one, older than the catch-up window, or skipped by `skip`. */
  missed: number;
  /** Fires not run because the previous task was still active (overlap). */
  skipped: number;
}

export interface ScheduleRecord {
  universe: string;
  definition: ScheduleDefinition;
  /** Of the definition: bumped by every put. */
  revision: number;
  state: ScheduleState;
  /** Of the state: bumped by every state write, the compare-and-set guard of `updateState`. */
  stateVersion: number;
  createdAt: number;
  updatedAt: number;
}

/** The schedules of one universe. */
export interface ScheduleStore {
  /**
   * Creates or replaces a schedule. A replaced one keeps its counters, last outcome and pause and
   * takes `nextAt` (the caller computes it from the new spec). `expectedRevision` 0 means "must
   * not exist"; a mismatch is `conflict`.
   */
  put(definition: ScheduleDefinition, nextAt: number | null, expectedRevision?: number): Promise<ScheduleRecord>;
  get(scheduleId: string): Promise<ScheduleRecord | undefined>;
  list(options?: { limit?: number; cursor?: string }): Promise<{ schedules: ScheduleRecord[]; nextCursor?: string }>;
  /** Removes it and returns the last record; `not_found` when absent. Its tasks remain. */
  delete(scheduleId: string): Promise<ScheduleRecord>;
  /**
   * Writes the state if `stateVersion` is still `expectedVersion` (and, with `fence`, only while
   * that scheduler holds the lead); returns the new record, or undefined when either guard failed.
   */
  updateState(scheduleId: string, expectedVersion: number, state: ScheduleState, fence?: { owner: string }): Promise<ScheduleRecord | undefined>;
}

/** The scheduler's view across universes: who leads, and what is due. */
export interface ScheduleLedger {
  /**
   * Takes or renews the lead for `leaseMs` (the store's clock); true while `owner` holds it. A
   * lead that ran out may be taken by another owner, whose writes then fence the old one out.
   */
  lead(owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the lead up (a clean shutdown), so another scheduler need not wait for the lease. */
  resign(owner: string): Promise<void>;
  /** Unpaused schedules whose next fire is at or before `now`, or that hold a buffered fire; oldest first. */
  due(now: number, limit: number): Promise<ScheduleRecord[]>;
}
