import {
  admit,
  applyAll,
  deserializeState,
  listStatus,
  plan,
  replay,
  serializeState,
  stamp,
  upcast,
  type Action,
  type Command,
  type EventDraft,
  type SessionState,
  type SynthesizedBlob,
} from '@lightspeed/engine';
import {
  EffectAborted,
  performCompaction,
  performGeneration,
  performToolCall,
  persistActionBlobs,
  scheduleToolCalls,
  type DriverPorts,
  type SessionRef,
  type SubmitOutcome,
} from '@lightspeed/driver';
import { AppendConflictError, type SessionStore } from '@lightspeed/ports';
import { Mutex } from './mutex.js';

export interface ActorOptions {
  ref: SessionRef;
  store: SessionStore;
  ports: DriverPorts;
  snapshotEvery: number;
  toolConcurrency: number;
  /** Called after commands whose effect needs host-side follow-up (tool resolution on config change). */
  onCommitted?: (actor: SessionActor, committed: EventDraft[]) => void;
  onError?: (ref: SessionRef, error: unknown) => void;
}

interface Inflight {
  controller: AbortController;
  runId: string | undefined;
}

const encoder = new TextEncoder();
const EFFECT_FAILURE_BACKOFF_MS = 1000;
/** Bound on planner appends folded into one commit (the planner settles in a few; this guards a loop). */
const MAX_FOLLOW_UP_APPENDS = 8;

/**
 * One session in the embedded host: its state, a mutex serialising admissions and commits, the
 * effects in flight, and the drive loop that asks the engine for the next action. Effects run
 * concurrently with admissions; their results come back as commands through the same mutex, so the
 * engine decides whether a late result still counts (e.g. after a cancel it does not).
 */
export class SessionActor {
  state: SessionState;
  private readonly mutex = new Mutex();
  private readonly inflight = new Map<string, Inflight>();
  private driving = false;
  private woken = false;
  private wakeWaiter: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private lastSnapshotSeq = 0;
  private headWaiters = new Set<() => void>();
  private stopped = false;
  private planned: { state: SessionState; action: Action } | undefined;
  lastUsed = 0;

  private constructor(
    private readonly options: ActorOptions,
    state: SessionState,
  ) {
    this.state = state;
  }

  /** Rehydrates from the latest snapshot plus the tail of the log (or a full replay without one). */
  static async load(options: ActorOptions): Promise<SessionActor> {
    const { store, ref, ports } = options;
    const pointer = await store.latestSnapshot(ref.sessionId);
    let state: SessionState | undefined;
    if (pointer) {
      const bytes = await ports.blobs.get(pointer.stateRef);
      if (bytes) {
        const base = deserializeState(new TextDecoder().decode(bytes));
        const tail = await store.read(ref.sessionId, { after: pointer.seq });
        state = applyAll(base, tail.map(upcast));
      }
    }
    if (!state) state = replay(ref.sessionId, (await store.read(ref.sessionId)).map(upcast));
    const actor = new SessionActor(options, state);
    actor.lastSnapshotSeq = pointer?.seq ?? 0;
    return actor;
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
   * events in one append: a crash commits all of them or none (session setup's toolset and feature
   * context). Rejected commands add nothing; the outcomes are in command order.
   */
  submitAll(commands: Command[]): Promise<SubmitOutcome[]> {
    return this.mutex.run(async (): Promise<SubmitOutcome[]> => {
      for (let attempt = 1; ; attempt++) {
        const now = this.options.ports.clock.now();
        let staged = this.state;
        const drafts: EventDraft[] = [];
        const blobs: SynthesizedBlob[] = [];
        const admissions = commands.map((command) => {
          const admission = admit(staged, command, now);
          if (admission.ok && admission.events.length > 0) {
            staged = applyAll(staged, stamp(staged, admission.events, now));
            drafts.push(...admission.events);
            blobs.push(...(admission.blobs ?? []));
          }
          return admission;
        });
        try {
          if (drafts.length > 0) {
            // Texts the engine synthesised (e.g. cancelled results on force-cancel) go to CAS first.
            await persistActionBlobs(this.options.ports.blobs, { type: 'append', events: drafts, ...(blobs.length > 0 ? { blobs } : {}) });
            await this.commit(drafts);
          }
        } catch (error) {
          // Someone else advanced the log (another process on a shared store): catch up and re-admit.
          if (error instanceof AppendConflictError && attempt < 3) {
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
    }).then((outcomes) => {
      if (outcomes.some((outcome) => outcome.ok)) {
        this.abortStaleEffects();
        this.wake();
      }
      return outcomes;
    });
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
    this.loop()
      .catch((error) => this.options.onError?.(this.options.ref, error))
      .finally(() => {
        this.driving = false;
      });
  }

  /** Aborts every effect and stops driving (host shutdown). Committed state stays as it is. */
  stop(): void {
    this.stopped = true;
    for (const effect of this.inflight.values()) effect.controller.abort();
    if (this.timer) clearTimeout(this.timer);
    this.wake();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const action = await this.mutex.run(async () => {
        const next = this.plan(this.state);
        if (next.type !== 'append') return next;
        await persistActionBlobs(this.options.ports.blobs, next);
        try {
          await this.commit(next.events);
        } catch (error) {
          if (!(error instanceof AppendConflictError)) throw error;
          await this.refresh();
        }
        return undefined;
      });
      if (action === undefined) {
        this.abortStaleEffects();
        continue;
      }
      if (action.type === 'idle' || action.type === 'closed') {
        if (this.inflight.size === 0) return;
      } else {
        this.start(action);
      }
      await this.nextWake();
    }
  }

  private start(action: Exclude<Action, { type: 'append' | 'idle' | 'closed' }>): void {
    const { ports } = this.options;
    switch (action.type) {
      case 'generate': {
        const state = this.state;
        this.runEffect(`generate:${action.turnId}:${action.attempt}`, action.runId, (signal) => performGeneration(state, action, ports, signal));
        return;
      }
      case 'compact': {
        const state = this.state;
        this.runEffect(`compact:${action.compactionId}`, undefined, (signal) => performCompaction(state, action, ports, signal));
        return;
      }
      case 'invokeTools': {
        const pending = action.calls.filter((call) => !this.inflight.has(`tool:${call.callId}`));
        this.runToolGroups(action.runId, scheduleToolCalls(pending, this.options.toolConcurrency));
        return;
      }
      case 'wait':
        this.armTimer(action.until);
        return;
    }
  }

  /** Groups run one after another; the calls inside a group run concurrently. Each result is admitted on its own. */
  private runToolGroups(runId: string, groups: Parameters<typeof performToolCall>[0][][]): void {
    if (groups.length === 0) return;
    const controller = new AbortController();
    const keys = groups.flat().map((call) => `tool:${call.callId}`);
    for (const key of keys) this.inflight.set(key, { controller, runId });
    const run = async () => {
      for (const group of groups) {
        if (controller.signal.aborted) return;
        await Promise.all(
          group.map(async (call) => {
            try {
              const command = await performToolCall(call, this.options.ports, controller.signal);
              await this.submitResult(command);
            } finally {
              this.inflight.delete(`tool:${call.callId}`);
            }
          }),
        );
      }
    };
    run()
      .catch((error) => this.effectFailed(error))
      .finally(() => {
        for (const key of keys) this.inflight.delete(key);
        this.wake();
      });
  }

  private runEffect(key: string, runId: string | undefined, fn: (signal: AbortSignal) => Promise<Command>): void {
    if (this.inflight.has(key)) return;
    const controller = new AbortController();
    this.inflight.set(key, { controller, runId });
    fn(controller.signal)
      .then((command) => this.submitResult(command))
      .catch((error) => this.effectFailed(error))
      .finally(() => {
        this.inflight.delete(key);
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

  /** A runtime result the engine no longer wants (cancelled turn, closed session) is discarded. */
  private async submitResult(command: Command): Promise<void> {
    await this.submit(command);
  }

  private armTimer(until: number | undefined): void {
    if (until === undefined) return;
    if (this.timer && this.timerAt === until) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = until;
    const delay = Math.max(0, until - this.options.ports.clock.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      void this.fireDueTimers();
    }, delay);
  }

  private async fireDueTimers(): Promise<void> {
    const now = this.options.ports.clock.now();
    for (const promise of Object.values(this.state.promises)) {
      if (promise.status === 'pending' && promise.deadline !== undefined && promise.deadline <= now) {
        await this.submit({ type: 'timer.fired', promiseId: promise.promiseId });
      }
    }
    this.wake();
  }

  /** Aborts effects that belong to a run that is no longer the active, running one. */
  private abortStaleEffects(): void {
    const active = this.state.activeRunId;
    const run = active === undefined ? undefined : this.state.runs[active];
    const live = run && (run.status === 'running' || run.status === 'queued');
    for (const [key, effect] of this.inflight) {
      if (effect.runId === undefined) continue;
      if (!live || effect.runId !== active) {
        effect.controller.abort();
        this.inflight.delete(key);
      }
    }
  }

  /** Applies entries other writers appended since our head (after an append conflict). */
  private async refresh(): Promise<void> {
    const tail = await this.options.store.read(this.options.ref.sessionId, { after: this.state.head });
    this.state = applyAll(this.state, tail.map(upcast));
  }

  /**
   * Commits `drafts` together with the appends the planner asks for right after them (e.g. a tool
   * result, the batch completing, the next turn and its generation request) in one store append:
   * the log is exactly what committing them one by one would write, with fewer round trips and no
   * crash window between them.
   */
  private async commit(drafts: EventDraft[]): Promise<void> {
    // A stopped actor (host shut down) must never write: a newer incarnation owns the session now.
    if (this.stopped) throw new EffectAborted();
    const { store, ports, ref } = this.options;
    const at = ports.clock.now();
    const entries = stamp(this.state, drafts, at);
    let next = applyAll(this.state, entries);
    const committed = [...drafts];
    for (let i = 0; i < MAX_FOLLOW_UP_APPENDS; i++) {
      const action = this.plan(next);
      if (action.type !== 'append') break;
      await persistActionBlobs(ports.blobs, action);
      const more = stamp(next, action.events, at);
      next = applyAll(next, more);
      entries.push(...more);
      committed.push(...action.events);
    }
    await store.append(ref.sessionId, this.state.head, entries, { status: listStatus(next), displayName: next.displayName ?? null });
    this.state = next;
    if (next.head - this.lastSnapshotSeq >= this.options.snapshotEvery) await this.snapshot();
    for (const waiter of [...this.headWaiters]) waiter();
    this.options.onCommitted?.(this, committed);
  }

  /**
   * `plan` is a pure function of the state, and planning a generation re-derives its whole request
   * (cost grows with the context): the last answer is kept for as long as the state is the same
   * object, so the loop waking up again (an effect finished, a nudge) does not plan twice.
   */
  private plan(state: SessionState): Action {
    if (this.planned?.state === state) return this.planned.action;
    const action = plan(state);
    this.planned = { state, action };
    return action;
  }

  private async snapshot(): Promise<void> {
    const { store, ports, ref } = this.options;
    const stat = await ports.blobs.put(encoder.encode(serializeState(this.state)), { mediaType: 'application/json' });
    await store.putSnapshot(ref.sessionId, { seq: this.state.head, stateRef: stat.ref });
    this.lastSnapshotSeq = this.state.head;
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
