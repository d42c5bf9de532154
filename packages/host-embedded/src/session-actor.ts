import {
  admitStaged,
  dueTimers,
  hasStaged,
  Mutex,
  reconcile,
  settle,
  staged,
  type Command,
  type EffectStart,
  type NextAction,
  type SessionState,
  type Staged,
} from '@lightspeed/engine';
import { EffectAborted, performCompaction, performDelivery, performGeneration, performToolCall, SessionLog, type DriverPorts, type SessionRef, type SubmitOutcome } from '@lightspeed/driver';
import { AppendConflictError, type SessionStore } from '@lightspeed/ports';

export interface ActorOptions {
  ref: SessionRef;
  store: SessionStore;
  ports: DriverPorts;
  snapshotEvery: number;
  toolConcurrency: number;
  onError?: (ref: SessionRef, error: unknown) => void;
  /** The loop ended: idle, or `parked` on a wait only an outside answer ends (no deadline, nothing in flight). */
  onRest?: () => void;
}

const EFFECT_FAILURE_BACKOFF_MS = 1000;
/** Admissions retried after another writer advanced a shared store, before giving up. */
const MAX_CONFLICT_RETRIES = 3;

/**
 * One session in the embedded host. The drive loop is the engine's (`settle`, `reconcile`,
 * `dueTimers`) and the log is the driver's (`SessionLog`); what is left here is the substrate: a
 * mutex serialising admissions and commits, an AbortController per effect in flight, a Node timer
 * for the next deadline, and the waiters of long polls. Effect results come back as commands through
 * the same mutex, so the engine decides whether a late result still counts.
 */
export class SessionActor {
  state: SessionState;
  private readonly mutex = new Mutex();
  private readonly inflight = new Map<string, AbortController>();
  private readonly log: SessionLog;
  private driving = false;
  private woken = false;
  private wakeWaiter: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private lastSnapshotSeq: number;
  private headWaiters = new Set<() => void>();
  private stopped = false;
  /**
   * The loop ended because the run waits on promises with no deadline (a question, an approval):
   * nothing here will act until a command arrives, which drives the loop again. The host may then
   * drop the actor — the log has everything — so a parked session costs no memory while it waits.
   */
  parked = false;
  /** The settled action for `state` (planning re-derives a whole request; a wake-up must not plan twice). */
  private planned: { state: SessionState; action: NextAction } | undefined;
  lastUsed = 0;

  private constructor(
    private readonly options: ActorOptions,
    log: SessionLog,
    state: SessionState,
    snapshotSeq: number,
  ) {
    this.log = log;
    this.state = state;
    this.lastSnapshotSeq = snapshotSeq;
  }

  static async load(options: ActorOptions): Promise<SessionActor> {
    const log = new SessionLog(options.store, options.ports.blobs, options.ref.sessionId);
    const { state, snapshotSeq } = await log.rehydrate();
    return new SessionActor(options, log, state, snapshotSeq);
  }

  get head(): number {
    return this.state.head;
  }

  get busy(): boolean {
    return this.driving || this.inflight.size > 0 || this.headWaiters.size > 0;
  }

  /** Admits a command and commits its events; rejections are returned, never thrown. */
  async submit(command: Command): Promise<SubmitOutcome> {
    const [outcome] = await this.submitAll([command]);
    return outcome!;
  }

  /**
   * Admits commands in order, each against the state the previous ones leave, and commits all their
   * events with the planner's follow-ups in one append: a crash commits all of them or none (session
   * setup's toolset and feature context). Rejected commands add nothing; outcomes are in command order.
   */
  async submitAll(commands: Command[]): Promise<SubmitOutcome[]> {
    const outcomes = await this.mutex.run(async (): Promise<SubmitOutcome[]> => {
      for (let attempt = 1; ; attempt++) {
        const now = this.options.ports.clock.now();
        let step = staged(this.state);
        const admissions = commands.map((command) => {
          const admitted = admitStaged(step, command, now);
          step = admitted.staged;
          return admitted.admission;
        });
        try {
          if (hasStaged(step)) await this.settleAndCommit(step, now);
        } catch (error) {
          // Someone else advanced the log (another process on a shared store): catch up and re-admit.
          if (error instanceof AppendConflictError && attempt < MAX_CONFLICT_RETRIES) {
            await this.refresh();
            continue;
          }
          throw error;
        }
        return admissions.map((admission): SubmitOutcome => {
          if (!admission.ok) return { ok: false, rejection: admission.rejection };
          const outcome: SubmitOutcome = { ok: true, state: this.state, head: this.state.head };
          if (admission.result !== undefined) outcome.result = admission.result;
          return outcome;
        });
      }
    });
    if (outcomes.some((outcome) => outcome.ok)) this.wake();
    return outcomes;
  }

  /** Resolves once the head passes `after`, after `waitMs`, or on abort. */
  waitForHead(after: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    if (this.state.head > after || waitMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.headWaiters.delete(check);
        resolve();
      };
      const check = () => {
        if (this.state.head > after) done();
      };
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener('abort', done, { once: true });
      this.headWaiters.add(check);
    });
  }

  /** Starts the drive loop if it is not running; otherwise nudges it to re-plan. */
  drive(): void {
    if (this.stopped) return;
    if (this.driving) {
      this.wake();
      return;
    }
    this.driving = true;
    this.parked = false;
    this.loop()
      .catch((error) => this.options.onError?.(this.options.ref, error))
      .finally(() => {
        this.driving = false;
        if (!this.stopped) this.options.onRest?.();
      });
  }

  /** Aborts every effect and stops driving (host shutdown). Committed state stays as it is. */
  stop(): void {
    this.stopped = true;
    for (const controller of this.inflight.values()) controller.abort();
    if (this.timer) clearTimeout(this.timer);
    this.wake();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      // Cleared before planning so a wake-up that lands while we plan is not lost.
      this.woken = false;
      const action = await this.mutex.run(async () => {
        try {
          return await this.settleAndCommit(staged(this.state), this.options.ports.clock.now());
        } catch (error) {
          if (!(error instanceof AppendConflictError)) throw error;
          await this.refresh();
          return undefined;
        }
      });
      if (action === undefined) continue;
      const { start, abort, wakeAt } = reconcile(action, this.inflight.keys(), this.options.toolConcurrency);
      for (const key of abort) {
        this.inflight.get(key)?.abort();
        this.inflight.delete(key);
      }
      for (const effect of start) this.start(effect);
      if (wakeAt !== undefined) this.armTimer(wakeAt);
      // A wait answered before its deadline: its timer would hold this actor until the deadline.
      else this.disarmTimer();
      // A wake-up that landed while planning (a command committed meanwhile) plans once more.
      if (this.inflight.size === 0 && !this.woken) {
        if (action.type === 'idle' || action.type === 'closed') return;
        // Waiting on an outside answer only: the command that answers drives the loop again.
        if (action.type === 'wait' && wakeAt === undefined) {
          this.parked = true;
          return;
        }
      }
      await this.nextWake();
    }
  }

  private start(effect: EffectStart): void {
    const { ports } = this.options;
    const controller = new AbortController();
    const { signal } = controller;
    const state = this.state;
    this.inflight.set(effect.key, controller);
    const run =
      effect.type === 'generate'
        ? performGeneration(state, effect.action, ports, signal)
        : effect.type === 'compact'
          ? performCompaction(state, effect.action, ports, signal)
          : effect.type === 'deliver'
            ? performDelivery(effect.message, ports)
            : performToolCall(effect.call, ports, signal);
    run
      .then((command) => this.submit(command))
      .catch((error) => this.effectFailed(error))
      .finally(() => {
        if (this.inflight.get(effect.key) === controller) this.inflight.delete(effect.key);
        this.wake();
      });
  }

  /**
   * An effect could not deliver its result (store unavailable, a bug). It stays marked in flight for
   * a back-off period so the loop does not re-run it hot; then the planner offers it again.
   */
  private async effectFailed(error: unknown): Promise<void> {
    if (error instanceof EffectAborted || this.stopped) return;
    this.options.onError?.(this.options.ref, error);
    await new Promise((resolve) => setTimeout(resolve, EFFECT_FAILURE_BACKOFF_MS));
  }

  private disarmTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  private armTimer(until: number): void {
    if (this.timer && this.timerAt === until) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = until;
    const delay = Math.max(0, until - this.options.ports.clock.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      const due = dueTimers(this.state, this.options.ports.clock.now());
      void (due.length > 0 ? this.submitAll(due) : Promise.resolve())
        .catch((error) => this.options.onError?.(this.options.ref, error))
        .finally(() => this.wake());
    }, delay);
  }

  /** Applies entries other writers appended since our head (after an append conflict). */
  private async refresh(): Promise<void> {
    this.state = await this.log.advance(this.state);
  }

  /**
   * Settles the staged step (the planner's follow-up appends join it) and commits it in one store
   * append; returns the action the settled state asks for. Caller holds the mutex.
   */
  private async settleAndCommit(step: Staged, at: number): Promise<NextAction> {
    if (!hasStaged(step) && this.planned?.state === this.state) return this.planned.action;
    const settled = settle(step, at);
    if (hasStaged(settled.staged)) {
      // A stopped actor (host shut down) must never write: a newer incarnation owns the session now.
      if (this.stopped) throw new EffectAborted();
      const snapshotDue = settled.staged.state.head - this.lastSnapshotSeq >= this.options.snapshotEvery;
      const committed = await this.log.commitStaged(settled.staged, snapshotDue);
      this.state = committed.state;
      if (committed.snapshotSeq !== undefined) this.lastSnapshotSeq = committed.snapshotSeq;
      for (const waiter of [...this.headWaiters]) waiter();
      if (committed.state !== settled.staged.state) return this.settleAndCommit(staged(this.state), at);
    }
    this.planned = { state: this.state, action: settled.action };
    return settled.action;
  }

  private wake(): void {
    this.woken = true;
    const waiter = this.wakeWaiter;
    this.wakeWaiter = undefined;
    waiter?.();
  }

  private nextWake(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeWaiter = () => {
        this.woken = false;
        resolve();
      };
    });
  }
}
