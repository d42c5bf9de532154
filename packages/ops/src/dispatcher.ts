import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AgentHost } from '@lightspeed/driver';
import type { Environments } from '@lightspeed/environments';
import { LightspeedError, systemClock, type ClaimedTask, type ClaimOptions, type Clock, type DispatchControls, type TaskQueue, type TaskSignal } from '@lightspeed/ports';
import { runAttempt, type AttemptEnd } from './attempt-runner.js';
import type { TaskSessionOpener } from './task-agents.js';

export const DEFAULT_MAX_IN_FLIGHT = 8;
export const DEFAULT_DISPATCH_LEASE_MS = 30_000;
export const DEFAULT_POLL_MS = 2_000;
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** Largest claim batch: a claim never takes more than the dispatcher has room for, nor this. */
const MAX_CLAIM = 16;

export interface DispatcherLimits {
  /** Attempts this dispatcher runs at once, across its universes (the global in-flight bound). */
  maxInFlight?: number;
  /** Running tasks per concurrency key, across all dispatchers (checked by the claim). */
  maxRunningPerKey?: number;
  /** Running tasks per agent, across all dispatchers: a default and overrides by agent. */
  maxRunningPerAgent?: ClaimOptions['maxRunningPerAgent'];
  /** Dispatch only these agents' tasks. */
  agents?: readonly string[];
}

export interface DispatcherOptions extends DispatcherLimits {
  host: AgentHost;
  tasks: (universe: string) => TaskQueue;
  controls: (universe: string) => DispatchControls;
  sessions: TaskSessionOpener;
  /** Each universe's environments, where script tasks run (absent: script tasks fail as `script_unavailable`). */
  environments?: (universe: string) => Environments;
  /** The universes dispatched (each has its own queue, pauses and heartbeat row). */
  universes: readonly string[];
  /** Wake-ups on enqueue/retry; without one the dispatcher polls only. */
  signal?: TaskSignal;
  /** Unique per process; default `<host>:<pid>:<random>`. */
  id?: string;
  leaseMs?: number;
  /** The safety-net poll (default 2 s): wake-ups make it rare that a poll finds anything. */
  pollMs?: number;
  heartbeatMs?: number;
  /**
   * Run when a universe goes idle after work (at most every `idleEveryMs`, default 30 s): the CLI
   * passes the store's `vacuumTasks` (PGlite has no autovacuum).
   */
  idle?: () => Promise<void>;
  idleEveryMs?: number;
  clock?: Clock;
  /** Unexpected failures (a claim, a settle); also kept as the dispatcher's last error. */
  onError?: (error: unknown, where: string) => void;
  /** An attempt's run was submitted or adopted. */
  onRunStarted?: (claimed: ClaimedTask, runId: string) => void;
  /** An attempt ended (settled, lost its lease, or abandoned on stop). */
  onAttemptEnd?: (claimed: ClaimedTask, end: AttemptEnd | 'error') => void;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new LightspeedError('invalid', `${name} must be a positive integer, got ${String(value)}`, { field: name });
  return value;
}

/**
 * Turns queued tasks into agent runs. Per universe it claims while it has room (within its limits
 * and the universe's pauses), runs each claim's attempt in the background, and claims again when
 * woken: by the queue's signal, by an attempt ending (a slot freed), or by the safety-net poll.
 * Several dispatchers (processes) may serve one store: the claim's SKIP LOCKED and leases keep a
 * task with one of them, and a dead one's attempts are adopted by the others.
 */
export class Dispatcher {
  readonly id: string;
  private readonly startedAt: number;
  private readonly clock: Clock;
  private readonly maxInFlight: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly heartbeatMs: number;
  private readonly stopping = new AbortController();
  private readonly attempts = new Set<Promise<void>>();
  private readonly pumping = new Map<string, { again: boolean }>();
  private readonly workedSinceIdle = new Set<string>();
  private lastIdleAt = 0;
  private lastError: { message: string; at: number } | undefined;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  private started = false;

  constructor(private readonly options: DispatcherOptions) {
    if (options.universes.length === 0) throw new LightspeedError('invalid', 'a dispatcher needs at least one universe', { field: 'universes' });
    this.clock = options.clock ?? systemClock;
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.startedAt = this.clock.now();
    this.maxInFlight = positive('maxInFlight', options.maxInFlight, DEFAULT_MAX_IN_FLIGHT);
    this.leaseMs = positive('leaseMs', options.leaseMs, DEFAULT_DISPATCH_LEASE_MS);
    this.pollMs = positive('pollMs', options.pollMs, DEFAULT_POLL_MS);
    this.heartbeatMs = positive('heartbeatMs', options.heartbeatMs, DEFAULT_HEARTBEAT_MS);
    if (options.maxRunningPerKey !== undefined) positive('maxRunningPerKey', options.maxRunningPerKey, 1);
  }

  /** Attempts running now. */
  get inFlight(): number {
    return this.attempts.size;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const universes = new Set(this.options.universes);
    this.unsubscribe = this.options.signal?.subscribe((universe) => {
      if (universes.has(universe)) this.wake(universe);
    });
    this.timers.push(setInterval(() => this.wakeAll(), this.pollMs));
    this.timers.push(setInterval(() => void this.heartbeat(), this.heartbeatMs));
    for (const timer of this.timers) timer.unref();
    void this.heartbeat();
    this.wakeAll();
  }

  /**
   * Stops claiming and abandons the attempts in flight: their runs go on in the host, and their
   * leases expire and are adopted by another dispatcher (or this one's successor) without spending
   * an attempt. The heartbeat rows are removed.
   */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.unsubscribe?.();
    await Promise.allSettled([...this.attempts]);
    await Promise.allSettled(this.options.universes.map((universe) => this.options.controls(universe).leave(this.id)));
  }

  /** Claims in one universe now (also what the signal and the poll do). */
  wake(universe: string): void {
    if (this.stopping.signal.aborted || !this.started) return;
    const current = this.pumping.get(universe);
    if (current) {
      current.again = true;
      return;
    }
    const state = { again: false };
    this.pumping.set(universe, state);
    void this.pump(universe, state).finally(() => this.pumping.delete(universe));
  }

  private wakeAll(): void {
    for (const universe of this.options.universes) this.wake(universe);
  }

  private async pump(universe: string, state: { again: boolean }): Promise<void> {
    const queue = this.options.tasks(universe);
    for (;;) {
      state.again = false;
      let full = false;
      try {
        full = await this.claimRound(universe, queue);
      } catch (error) {
        this.report(error, `claim in ${universe}`);
        return;
      }
      if (this.stopping.signal.aborted) return;
      if (full || state.again) continue;
      break;
    }
    if (this.attempts.size === 0) void this.maybeIdle(universe);
  }

  /** One claim, within the room left and the pauses in force; true when it got all it asked for. */
  private async claimRound(universe: string, queue: TaskQueue): Promise<boolean> {
    const room = Math.min(this.maxInFlight - this.attempts.size, MAX_CLAIM);
    if (room <= 0) return false;
    const pauses = await this.options.controls(universe).pauses();
    const paused = pauses.filter((pause) => pause.agent !== undefined).map((pause) => pause.agent!);
    const claimed = await queue.claim({
      dispatcher: this.id,
      limit: room,
      leaseMs: this.leaseMs,
      ...(this.options.agents ? { agents: this.options.agents } : {}),
      ...(paused.length > 0 ? { excludeAgents: paused } : {}),
      ...(pauses.some((pause) => pause.agent === undefined) ? { adoptOnly: true } : {}),
      ...(this.options.maxRunningPerKey !== undefined ? { maxRunningPerKey: this.options.maxRunningPerKey } : {}),
      ...(this.options.maxRunningPerAgent ? { maxRunningPerAgent: this.options.maxRunningPerAgent } : {}),
    });
    if (this.stopping.signal.aborted) return false; // the leases expire and are adopted
    for (const one of claimed) this.begin(universe, queue, one);
    if (claimed.length > 0) this.workedSinceIdle.add(universe);
    return claimed.length === room;
  }

  private begin(universe: string, queue: TaskQueue, claimed: ClaimedTask): void {
    const attempt = runAttempt(
      {
        universe,
        host: this.options.host,
        queue,
        sessions: this.options.sessions,
        ...(this.options.environments ? { environments: this.options.environments(universe) } : {}),
        leaseMs: this.leaseMs,
        clock: this.clock,
        signal: this.stopping.signal,
        ...(this.options.onRunStarted ? { onRunStarted: this.options.onRunStarted } : {}),
      },
      claimed,
    ).then(
      (end) => this.options.onAttemptEnd?.(claimed, end),
      (error: unknown) => {
        this.report(error, `task ${claimed.task.id} attempt ${claimed.attempt.attempt}`);
        this.options.onAttemptEnd?.(claimed, 'error');
      },
    );
    const tracked = attempt.finally(() => {
      this.attempts.delete(tracked);
      this.wake(universe); // a slot is free
    });
    this.attempts.add(tracked);
  }

  private async heartbeat(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const beat = { id: this.id, startedAt: this.startedAt, inFlight: this.attempts.size, ...(this.lastError ? { lastError: this.lastError } : {}) };
    await Promise.all(
      this.options.universes.map((universe) => this.options.controls(universe).heartbeat(beat).catch((error: unknown) => this.report(error, `heartbeat in ${universe}`, false))),
    );
  }

  private async maybeIdle(universe: string): Promise<void> {
    const idle = this.options.idle;
    if (!idle || !this.workedSinceIdle.has(universe)) return;
    const now = this.clock.now();
    if (now - this.lastIdleAt < (this.options.idleEveryMs ?? 30_000)) return;
    this.lastIdleAt = now;
    this.workedSinceIdle.clear();
    await idle().catch((error: unknown) => this.report(error, 'idle maintenance'));
  }

  private report(error: unknown, where: string, keep = true): void {
    if (keep) this.lastError = { message: `${where}: ${error instanceof Error ? error.message : String(error)}`, at: this.clock.now() };
    this.options.onError?.(error, where);
  }
}
