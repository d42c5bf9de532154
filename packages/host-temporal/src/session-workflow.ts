// The session workflow: one per session. It holds the engine state in memory and drives it exactly
// like the embedded host's actor — admit, stamp, commit, plan — with every effect an activity and the
// store written by a local `append` activity before anything depends on it. Deterministic: it
// imports only the pure engine and the workflow SDK (it runs in Temporal's sandbox).
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { admit, applyAll, scheduleToolCalls, deserializeState, listStatus, needsSessionSetup, plan, stamp, type Action, type Command, type EventDraft, type LogEntry, type SessionState, type SynthesizedBlob, type ToolInvocation } from '@lightspeed/engine';
import type { SessionActivities } from './activity-types.js';
import { admitUpdate, REJECTION_FAILURE, statusQuery, type AdmitReply, type SessionWorkflowInput, type SnapshotRef } from './definitions.js';


const DEFAULT_SNAPSHOT_EVERY = 200;
const DEFAULT_MAX_HISTORY_EVENTS = 10_000;
const TOOL_CONCURRENCY = 8;
/** After an effect failed for good (a bug, not a provider error), wait before planning it again. */
const EFFECT_FAILURE_BACKOFF_MS = 1000;

const retry = { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '10s' } as const;

// Store writes and rehydration: short, idempotent, recorded as one marker each.
const store = proxyLocalActivities<SessionActivities>({ startToCloseTimeout: '30s', retry });
// Session setup reads workspaces and skills: a broken one must not hold the admission forever.
const setup = proxyLocalActivities<SessionActivities>({ startToCloseTimeout: '60s', retry: { ...retry, maximumAttempts: 5 } });
// Effects: long, cancellable; heartbeats carry cancellation and detect a dead worker.
const effects = proxyActivities<SessionActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '3s', retry });

type EffectAction = Exclude<Action, { type: 'append' | 'idle' | 'closed' }>;

interface Inflight {
  scope: CancellationScope;
  runId: string | undefined;
}

/** Serialises admissions and commits (handlers run concurrently with the drive loop). */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function rejectionFailure(rejection: { code: string; message: string }): ApplicationFailure {
  return ApplicationFailure.create({ type: REJECTION_FAILURE, message: rejection.message, nonRetryable: true, details: [rejection] });
}

export async function sessionWorkflow(input: SessionWorkflowInput): Promise<void> {
  const { universe, sessionId } = input;
  const address = { universe, sessionId };
  const snapshotEvery = input.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
  const maxHistoryEvents = input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const mutex = new Mutex();
  const inflight = new Map<string, Inflight>();
  let state: SessionState | undefined;
  let lastSnapshotSeq = 0;
  let woken = false;

  const wake = () => {
    woken = true;
  };

  // Events are staged (stamped and applied in memory) and written in one `append` per step: a step
  // (an admission plus the planner's follow-up appends) costs one marker in history, not one per event.
  let committed: SessionState | undefined;
  let pending: LogEntry[] = [];
  let pendingBlobs: SynthesizedBlob[] = [];

  function stage(drafts: EventDraft[], blobs: SynthesizedBlob[] = []): void {
    if (drafts.length === 0) return;
    const entries = stamp(state!, drafts, Date.now());
    state = applyAll(state!, entries);
    pending.push(...entries);
    pendingBlobs.push(...blobs);
  }

  /** Writes the staged events (blobs first); nothing the workflow does next depends on unwritten events. */
  async function flush(): Promise<void> {
    if (pending.length === 0) return;
    const base = committed!;
    const entries = pending;
    const blobs = pendingBlobs;
    const result = await store.append({
      ...address,
      expectedHead: base.head,
      entries,
      ...(blobs.length > 0 ? { blobs } : {}),
      projection: { status: listStatus(state!), displayName: state!.displayName ?? null },
      ...(state!.head - lastSnapshotSeq >= snapshotEvery ? { snapshot: true } : {}),
    });
    if (result.committedAt) {
      const at = result.committedAt;
      state = applyAll(base, entries.map((entry, i) => ({ ...entry, at: at[i]! })));
    }
    if (result.snapshot) lastSnapshotSeq = result.snapshot.seq;
    committed = state;
    pending = [];
    pendingBlobs = [];
  }

  /** Stages the planner's appends and writes them; returns the next non-append action. */
  async function settle(): Promise<Action> {
    for (;;) {
      for (let action = plan(state!); action.type === 'append'; action = plan(state!)) stage(action.events, action.blobs);
      await flush();
      const action = plan(state!);
      if (action.type !== 'append') return action;
    }
  }

  /** Admits a command and commits its events with the planner's follow-ups; throws the rejection as a typed failure. */
  async function admitAndCommit(command: Command): Promise<AdmitReply> {
    const admission = admit(state!, command, Date.now());
    if (!admission.ok) throw rejectionFailure(admission.rejection);
    stage(admission.events, admission.blobs);
    await settle();
    return admission.result === undefined ? { head: state!.head } : { head: state!.head, result: admission.result };
  }

  /** Aborts effects of a run that is no longer the active, running one (cancel, failure, close). */
  function abortStaleEffects(): void {
    const active = state!.activeRunId;
    const run = active === undefined ? undefined : state!.runs[active];
    const live = run !== undefined && (run.status === 'running' || run.status === 'queued');
    for (const [key, effect] of inflight) {
      if (effect.runId === undefined) continue;
      if (!live || effect.runId !== active) {
        effect.scope.cancel();
        inflight.delete(key);
      }
    }
  }

  /** A runtime result the engine no longer wants (cancelled turn, closed session) is dropped. */
  async function submitResult(command: Command): Promise<void> {
    await mutex.run(async () => {
      const admission = admit(state!, command, Date.now());
      if (!admission.ok) return;
      stage(admission.events, admission.blobs);
      await settle();
    });
    abortStaleEffects();
    wake();
  }

  function runEffect(key: string, runId: string | undefined, fn: () => Promise<void>): void {
    if (inflight.has(key)) return;
    const scope = new CancellationScope();
    inflight.set(key, { scope, runId });
    scope
      .run(fn)
      .catch(async (error: unknown) => {
        if (isCancellation(error)) return;
        log.warn('session effect failed', { key, error: String(error) });
        await CancellationScope.nonCancellable(() => sleep(EFFECT_FAILURE_BACKOFF_MS));
      })
      .finally(() => {
        if (inflight.get(key)?.scope === scope) inflight.delete(key);
        wake();
      });
  }

  function runTools(runId: string, calls: ToolInvocation[]): void {
    const pending = calls.filter((call) => !inflight.has(`tool:${call.callId}`));
    if (pending.length === 0) return;
    const scope = new CancellationScope();
    const keys = pending.map((call) => `tool:${call.callId}`);
    for (const key of keys) inflight.set(key, { scope, runId });
    scope
      .run(async () => {
        for (const group of scheduleToolCalls(pending, TOOL_CONCURRENCY)) {
          await Promise.all(
            group.map(async (call) => {
              try {
                await submitResult(await effects.invokeTool({ ...address, call }));
              } finally {
                inflight.delete(`tool:${call.callId}`);
              }
            }),
          );
        }
      })
      .catch(async (error: unknown) => {
        if (isCancellation(error)) return;
        log.warn('tool batch failed', { runId, error: String(error) });
        await CancellationScope.nonCancellable(() => sleep(EFFECT_FAILURE_BACKOFF_MS));
      })
      .finally(() => {
        for (const key of keys) if (inflight.get(key)?.scope === scope) inflight.delete(key);
        wake();
      });
  }

  function start(action: EffectAction): void {
    const head = state!.head;
    switch (action.type) {
      case 'generate':
        runEffect(`generate:${action.turnId}:${action.attempt}`, action.runId, async () => submitResult(await effects.generate({ ...address, head, action })));
        return;
      case 'compact':
        runEffect(`compact:${action.compactionId}`, undefined, async () => submitResult(await effects.compact({ ...address, head, action })));
        return;
      case 'invokeTools':
        runTools(action.runId, action.calls);
        return;
      case 'wait':
        return;
    }
  }

  /** Admits `timer.fired` for every pending promise whose deadline has passed. */
  async function fireDueTimers(): Promise<void> {
    const now = Date.now();
    for (const promise of Object.values(state!.promises)) {
      if (promise.status === 'pending' && promise.deadline !== undefined && promise.deadline <= now) {
        await submitResult({ type: 'timer.fired', promiseId: promise.promiseId });
      }
    }
  }

  /**
   * After the config changed: the toolset and the context the features contribute, computed by the
   * driver's shared session setup (an activity: it reads workspaces) and admitted here in order.
   */
  async function setupSession(): Promise<void> {
    if (state!.status !== 'open') return;
    let commands: Command[];
    try {
      commands = await setup.sessionSetup({ ...address, head: state!.head });
    } catch (error) {
      // The session stays without its features' tools and context (a new session retries on its next execution).
      log.warn('session setup failed', { error: String(error) });
      return;
    }
    await mutex.run(async () => {
      for (const command of commands) {
        const admission = admit(state!, command, Date.now());
        if (admission.ok) stage(admission.events, admission.blobs);
        else if (admission.rejection.code !== 'closed') log.warn('session setup command rejected', { type: command.type, code: admission.rejection.code });
      }
      await settle();
    });
  }

  setHandler(statusQuery, () => ({
    head: state?.head ?? 0,
    status: state?.status ?? 'new',
    listStatus: state ? listStatus(state) : 'idle',
    ...(state?.activeRunId !== undefined ? { activeRunId: state.activeRunId } : {}),
    inflight: [...inflight.keys()],
  }));

  setHandler(
    admitUpdate,
    async (command) => {
      await condition(() => state !== undefined);
      const reply = await mutex.run(() => admitAndCommit(command));
      if (command.type === 'session.open' || command.type === 'session.configure') {
        await setupSession();
        reply.head = state!.head;
      }
      abortStaleEffects();
      wake();
      return reply;
    },
    {
      // Rejects before anything reaches history; the handler re-admits against the state it finds.
      validator: (command) => {
        if (state === undefined) return;
        const admission = admit(state, command, Date.now());
        if (!admission.ok) throw rejectionFailure(admission.rejection);
      },
    },
  );

  const boot = await store.bootstrap(input.snapshot ? { ...address, snapshot: input.snapshot } : address);
  state = deserializeState(boot.state);
  committed = state;
  lastSnapshotSeq = boot.snapshotSeq;
  // A crash between committing session.open/configure and its setup leaves the toolset behind the config: redo it.
  if (needsSessionSetup(state)) await setupSession();

  // Nothing left to drive: a closed session, or one that was never opened (a rejected admission).
  const finished = () => {
    if (inflight.size > 0) return false;
    const next = plan(state!).type;
    return next === 'closed' || (next === 'idle' && state!.status === 'new');
  };

  for (;;) {
    // Cleared before planning so a wake-up that lands while we plan is not lost.
    woken = false;
    const action = await mutex.run(settle);
    abortStaleEffects();
    const quiet = inflight.size === 0;
    if (finished()) {
      await condition(allHandlersFinished);
      if (finished()) return;
      continue;
    }
    if (quiet && action.type !== 'closed' && continueAsNewDue(maxHistoryEvents)) {
      await condition(allHandlersFinished);
      if (inflight.size === 0) {
        const snapshot: SnapshotRef = await store.snapshot({ ...address, head: state.head });
        await continueAsNew<typeof sessionWorkflow>({ ...input, snapshot });
      }
    }
    if (action.type !== 'idle' && action.type !== 'closed' && action.type !== 'append') start(action);
    if (action.type === 'wait' && action.until !== undefined) {
      const fired = !(await condition(() => woken, Math.max(1, action.until - Date.now())));
      if (fired) await fireDueTimers();
    } else {
      await condition(() => woken);
    }
  }
}

function continueAsNewDue(maxHistoryEvents: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= maxHistoryEvents;
}
