// The session workflow: one per session. It holds the engine state in memory and runs the engine's
// drive loop, with every effect an activity and the store written by a local `append` activity
// before anything depends on it. Deterministic: it imports only the pure engine and the workflow SDK
// (it runs in Temporal's sandbox).
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
import {
  admit,
  admitStaged,
  applyAll,
  deserializeState,
  dueTimers,
  hasStaged,
  listStatus,
  Mutex,
  needsSessionSetup,
  plan,
  reconcile,
  settle,
  staged,
  type Command,
  type EffectStart,
  type NextAction,
  type SessionState,
  type Staged,
} from '@lightspeed/engine';
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

function rejectionFailure(rejection: { code: string; message: string }): ApplicationFailure {
  return ApplicationFailure.create({ type: REJECTION_FAILURE, message: rejection.message, nonRetryable: true, details: [rejection] });
}

/**
 * The session workflow: the engine's drive loop (`settle`, `reconcile`, `dueTimers`) over Temporal's
 * substrate — a `CancellationScope` per effect, `condition` for wake-ups and deadlines, the store
 * written by a local `append` activity per step, continue-as-new when history grows.
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<void> {
  const { universe, sessionId } = input;
  const address = { universe, sessionId };
  const snapshotEvery = input.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
  const maxHistoryEvents = input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  // Every local activity (append, bootstrap, sessionSetup, snapshot) runs under this mutex, one at
  // a time. Two at once resolve in an order and grouping of activations that depends on timing,
  // and a replay (a new worker after a crash) groups them differently: the commands of the task
  // then come in another order and the replay fails as non-deterministic, for good (seen in the
  // dispatch crash test as `Update machine does not handle this event: ActivityTaskScheduled`).
  const mutex = new Mutex();
  const inflight = new Map<string, CancellationScope>();
  let state: SessionState | undefined;
  let lastSnapshotSeq = 0;
  let woken = false;

  const wake = () => {
    woken = true;
  };

  /**
   * Settles a step (the planner's follow-up appends join it) and writes it with one `append`
   * activity — one marker in history per step, not one per event. Returns the next action.
   */
  /** Commits a planner step; after a divergence (see `tryCommit`) plans again on the reloaded log. */
  async function commit(step: Staged): Promise<NextAction> {
    return (await tryCommit(step)) ?? commit(staged(state!));
  }

  /**
   * Commits `step` and what the planner adds to it; `undefined` when the log had diverged — a dead
   * worker's workflow task committed other entries after our head — and `state` was reloaded from
   * the store, so the caller re-admits its commands against it (a duplicate is then refused or
   * answered as one, as any retried command is).
   */
  async function tryCommit(step: Staged): Promise<NextAction | undefined> {
    // A planner bug (PlannerLoopError) fails the workflow task: retried once a fix is deployed, never spinning.
    const { staged: settled, action } = settle(step, Date.now());
    if (!hasStaged(settled)) return action;
    const result = await store.append({
      ...address,
      expectedHead: settled.base.head,
      entries: [...settled.entries],
      ...(settled.blobs.length > 0 ? { blobs: [...settled.blobs] } : {}),
      projection: { status: listStatus(settled.state), displayName: settled.state.displayName ?? null },
      ...(settled.state.head - lastSnapshotSeq >= snapshotEvery ? { snapshot: true } : {}),
    });
    if (result.diverged) {
      const boot = await store.bootstrap(address);
      state = deserializeState(boot.state);
      lastSnapshotSeq = boot.snapshotSeq;
      return undefined;
    }
    if (result.snapshot) lastSnapshotSeq = result.snapshot.seq;
    if (!result.committedAt) {
      state = settled.state;
      abortUnwanted(action);
      return action;
    }
    // A retried append found its entries committed by an earlier attempt: adopt the stored times.
    const at = result.committedAt;
    state = applyAll(settled.base, settled.entries.map((entry, i) => ({ ...entry, at: at[i]! })));
    return commit(staged(state));
  }

  /**
   * Cancels the effects `action` no longer wants right where the step committed (in the handler
   * that admitted a cancel, before its update completes): the recorded histories have the cancel
   * requests there. Starting effects is the main loop's.
   */
  function abortUnwanted(action: NextAction): void {
    for (const key of reconcile(action, inflight.keys(), TOOL_CONCURRENCY).abort) {
      inflight.get(key)?.cancel();
      inflight.delete(key);
    }
  }

  /** Admits commands in order against the staged state; the accepted ones are committed together. */
  function admitAll(commands: readonly Command[]): { step: Staged; admissions: ReturnType<typeof admitStaged>['admission'][] } {
    let step = staged(state!);
    const admissions = commands.map((command) => {
      const admitted = admitStaged(step, command, Date.now());
      step = admitted.staged;
      return admitted.admission;
    });
    return { step, admissions };
  }

  /** A runtime result the engine no longer wants (cancelled turn, closed session) is dropped. */
  async function submitAll(commands: readonly Command[]): Promise<void> {
    await mutex.run(async () => {
      while ((await tryCommit(admitAll(commands).step)) === undefined);
    });
    wake();
  }

  function start(effect: EffectStart): void {
    const head = state!.head;
    const scope = new CancellationScope();
    inflight.set(effect.key, scope);
    scope
      .run(async () => {
        const command =
          effect.type === 'generate'
            ? await effects.generate({ ...address, head, action: effect.action })
            : effect.type === 'compact'
              ? await effects.compact({ ...address, head, action: effect.action })
              : effect.type === 'deliver'
                ? await effects.deliver({ ...address, message: effect.message })
                : await effects.invokeTool({ ...address, call: effect.call });
        await submitAll([command]);
      })
      .catch(async (error: unknown) => {
        if (isCancellation(error)) return;
        log.warn('session effect failed', { key: effect.key, error: String(error) });
        await CancellationScope.nonCancellable(() => sleep(EFFECT_FAILURE_BACKOFF_MS));
      })
      .finally(() => {
        if (inflight.get(effect.key) === scope) inflight.delete(effect.key);
        wake();
      });
  }

  /**
   * After the config changed: the toolset and the context the features contribute, computed by the
   * driver's shared session setup (an activity: it reads workspaces) and admitted here in order.
   */
  async function setupSession(): Promise<void> {
    // Under the mutex like every local activity: see `mutex` for why none may run beside another.
    await mutex.run(async () => {
      if (state!.status !== 'open') return;
      let commands: Command[];
      try {
        commands = await setup.sessionSetup({ ...address, head: state!.head });
      } catch (error) {
        // The session stays without its features' tools and context (a new session retries on its next execution).
        log.warn('session setup failed', { error: String(error) });
        return;
      }
      for (;;) {
        const { step, admissions } = admitAll(commands);
        if ((await tryCommit(step)) === undefined) continue;
        admissions.forEach((admission, i) => {
          if (!admission.ok && admission.rejection.code !== 'closed') log.warn('session setup command rejected', { type: commands[i]!.type, code: admission.rejection.code });
        });
        return;
      }
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
      const reply = await mutex.run(async (): Promise<AdmitReply> => {
        for (;;) {
          const { step, admissions } = admitAll([command]);
          const admission = admissions[0]!;
          if (!admission.ok) throw rejectionFailure(admission.rejection);
          if ((await tryCommit(step)) === undefined) continue;
          return admission.result === undefined ? { head: state!.head } : { head: state!.head, result: admission.result };
        }
      });
      if (command.type === 'session.open' || command.type === 'session.configure') {
        await setupSession();
        reply.head = state!.head;
      }
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
    const action = await mutex.run(() => commit(staged(state!)));
    abortUnwanted(action);
    const { start: wanted, wakeAt } = reconcile(action, inflight.keys(), TOOL_CONCURRENCY);
    if (finished()) {
      await condition(allHandlersFinished);
      if (finished()) return;
      continue;
    }
    if (inflight.size === 0 && action.type !== 'closed' && continueAsNewDue(maxHistoryEvents)) {
      await condition(allHandlersFinished);
      if (inflight.size === 0) {
        const head = state.head;
        const snapshot: SnapshotRef = await mutex.run(() => store.snapshot({ ...address, head }));
        await continueAsNew<typeof sessionWorkflow>({ ...input, snapshot });
      }
    }
    for (const effect of wanted) start(effect);
    if (wakeAt !== undefined) {
      const fired = !(await condition(() => woken, Math.max(1, wakeAt - Date.now())));
      if (fired) {
        const due = dueTimers(state, Date.now());
        if (due.length > 0) await submitAll(due);
      }
    } else {
      await condition(() => woken);
    }
  }
}

function continueAsNewDue(maxHistoryEvents: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= maxHistoryEvents;
}
