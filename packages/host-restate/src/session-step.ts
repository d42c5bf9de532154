import './polyfills.js';
import {
  admitStaged,
  dueTimers,
  hasStaged,
  needsSessionSetup,
  plan,
  PlannerLoopError,
  reconcile,
  settle,
  staged,
  type Admission,
  type AdmitResult,
  type Command,
  type NextAction,
  type Rejection,
  type Staged,
} from '@lightspeed/engine';
import { liveKey, SessionLog, sessionSetupCommands, type SessionRef } from '@lightspeed/driver';
import { AppendConflictError } from '@lightspeed/ports';
import * as restate from '@restatedev/restate-sdk';
import { readCommand } from './command-blob.js';
import { effectsServiceRef, sessionObjectRef, type BlobRefString, type EffectRequest, type SessionFacts, type SubmitReply } from './protocol.js';
import { refOfObjectKey } from './session-key.js';
import type { ServiceRuntime } from './service-runtime.js';

const FACTS = 'facts';

/** What one step does: admit a command (inline or a runtime result by CAS ref) or fire due timers. */
export type StepInput = { type: 'command'; command: Command } | { type: 'result'; ref: BlobRefString; effectKey: string } | { type: 'timer'; until: number };

/** Back-off before re-running an effect whose result the engine refused while still wanting it. */
const REFUSED_RESULT_BACKOFF_MS = 1_000;

/** The journaled outcome of a step's single `ctx.run`: a few numbers and the admission's answer. */
interface StepOutcome {
  head: number;
  at: number;
  snapshotSeq?: number;
  result?: AdmitResult;
  rejection?: Rejection;
}

/**
 * One exclusive-handler invocation of a session object. Everything that touches the store happens in
 * ONE `ctx.run`: admit, commit, session setup, and planning until the engine wants an effect — the
 * journal gets only the outcome (new head, time, the admission's answer). Outside the run, the state
 * at the new head is read back (immutable, so replays agree), the wanted effects are sent as one-way
 * calls carrying only their key and head, and the tiny facts are saved.
 */
export class SessionStep {
  private constructor(
    private readonly ctx: restate.ObjectContext,
    private readonly runtime: ServiceRuntime,
    readonly ref: SessionRef,
    private readonly facts: SessionFacts,
  ) {}

  static async begin(ctx: restate.ObjectContext, runtime: ServiceRuntime): Promise<SessionStep> {
    const facts = (await ctx.get<SessionFacts>(FACTS)) ?? { head: 0, inflight: [], snapshotSeq: 0 };
    return new SessionStep(ctx, runtime, refOfObjectKey(ctx.key), facts);
  }

  /** Runs the step and answers like embedded mode's submit (minus the state). */
  async run(input: StepInput): Promise<SubmitReply> {
    const before = this.facts.head;
    const outcome = await this.ctx.run('step', () => new StepWork(this.runtime, this.ref, this.facts).execute(input));
    // A refused command changed nothing. A runtime result, refused or not, still ends its effect.
    if (outcome.rejection && input.type === 'command') return { ok: false, rejection: outcome.rejection };
    let refusedKey: string | undefined;
    if (input.type === 'result') {
      const remaining = this.facts.inflight.filter((key) => key !== input.effectKey);
      if (remaining.length !== this.facts.inflight.length) {
        this.facts.inflight = remaining;
        this.dirty = true;
      }
      if (outcome.rejection) refusedKey = input.effectKey;
    }
    const changed = outcome.head !== before || outcome.snapshotSeq !== undefined;
    this.facts.head = outcome.head;
    if (outcome.snapshotSeq !== undefined) this.facts.snapshotSeq = outcome.snapshotSeq;
    if (input.type === 'timer' && this.facts.timerAt === input.until) delete this.facts.timerAt;
    // Outside ctx.run on purpose: the log up to a committed head is immutable, so replays read the same.
    const state = await this.runtime.cache.at(this.ref, outcome.head);
    if (changed) this.runtime.heads.notify(liveKey(this.ref), state.head);
    const action = plan(state);
    if (action.type !== 'append') this.dispatch(action, outcome.at, refusedKey);
    this.save(input.type === 'timer' || changed);
    if (outcome.rejection) return { ok: false, rejection: outcome.rejection };
    const reply: SubmitReply = { ok: true, head: outcome.head };
    if (outcome.result !== undefined) reply.result = outcome.result;
    return reply;
  }

  private dirty = false;

  private save(force: boolean): void {
    if (force || this.dirty) this.ctx.set(FACTS, this.facts);
  }

  /**
   * Sends the effects the plan wants and that are not in flight yet, and aborts (in this process)
   * the ones it no longer wants: that is how a cancel stops a generation mid-stream.
   */
  private dispatch(action: NextAction, now: number, refusedKey?: string): void {
    const { start, abort, wakeAt } = reconcile(action, this.facts.inflight, this.runtime.toolConcurrency);
    if (abort.length > 0) this.runtime.registry.abort(this.ref, abort);
    const inflight = this.facts.inflight.filter((key) => !abort.includes(key));
    const head = this.facts.head;
    for (const { key: effectKey } of start) {
      // Re-running an effect whose result was just refused waits a little, so a bug cannot spin hot.
      const request: EffectRequest = { key: this.ctx.key, effectKey, head };
      const effects = this.ctx.serviceSendClient(effectsServiceRef);
      if (effectKey === refusedKey) effects.perform(request, restate.rpc.sendOpts<EffectRequest>({ delay: REFUSED_RESULT_BACKOFF_MS }));
      else effects.perform(request);
      inflight.push(effectKey);
    }
    if (wakeAt !== undefined && this.facts.timerAt !== wakeAt) {
      const delay = Math.max(0, wakeAt - now);
      this.ctx.objectSendClient(sessionObjectRef, this.ctx.key).timer({ until: wakeAt }, restate.rpc.sendOpts({ delay }));
      this.facts.timerAt = wakeAt;
      this.dirty = true;
    }
    if (inflight.length !== this.facts.inflight.length || inflight.some((key, i) => key !== this.facts.inflight[i])) {
      this.facts.inflight = inflight;
      this.dirty = true;
    }
  }
}

/**
 * The body of a step's `ctx.run`. Appends are batched: drafts accumulate and go to the store in one
 * append (one round trip) before anything that must see them committed (session setup asks the tool
 * runtime, which reads the store) and at the end.
 *
 * Re-execution: if the process died after the store committed but before Restate journaled the
 * outcome, the run executes again from the same facts. Its first append then conflicts: the object
 * is the session's only writer and invocations of one key run one at a time, so the entries found
 * after our head are this step's own. The step re-derives its answer from the old state and adopts
 * the store's head.
 */
class StepWork {
  private step!: Staged;
  private readonly now: number;
  private readonly log: SessionLog;
  private committedSome = false;
  private snapshotSeq: number | undefined;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly ref: SessionRef,
    private readonly facts: SessionFacts,
  ) {
    this.now = runtime.clock.now();
    this.log = new SessionLog(runtime.stores.sessions(ref.universe), runtime.stores.blobs(ref.universe), ref.sessionId);
  }

  async execute(input: StepInput): Promise<StepOutcome> {
    const base = await this.runtime.cache.at(this.ref, this.facts.head);
    this.step = staged(base);
    const outcome: StepOutcome = { head: base.head, at: this.now };
    let setUp = false;
    if (input.type === 'timer') {
      for (const command of dueTimers(this.step.state, this.now)) this.admit(command);
    } else {
      const command = input.type === 'command' ? input.command : await readCommand(this.runtime.stores.blobs(this.ref.universe), input.ref);
      const admission = this.admit(command);
      if (!admission.ok) return { ...outcome, rejection: admission.rejection };
      if (admission.result !== undefined) outcome.result = admission.result;
      setUp = command.type === 'session.open' || command.type === 'session.configure';
    }
    // A crash between committing session.open/configure and its setup leaves the toolset behind the config: redo it.
    if (needsSessionSetup(this.step.state)) setUp = true;
    try {
      await this.finish(setUp);
    } catch (error) {
      if (!(error instanceof AppendConflictError) || this.committedSome) throw error;
      // A previous execution of this very step committed (see above): continue from what it wrote.
      this.step = staged(await this.runtime.cache.latest(this.ref));
      await this.finish(setUp);
    }
    outcome.head = this.step.state.head;
    if (this.snapshotSeq !== undefined) outcome.snapshotSeq = this.snapshotSeq;
    return outcome;
  }

  /** Session setup (idempotent: an unchanged toolset or context appends nothing), then the commit. */
  private async finish(setUp: boolean): Promise<void> {
    if (setUp) await this.setUpSession();
    await this.flush();
  }

  private admit(command: Command): Admission {
    const admitted = admitStaged(this.step, command, this.now);
    this.step = admitted.staged;
    return admitted.admission;
  }

  private async setUpSession(): Promise<void> {
    // Setup asks the tool runtime, which reads the store: what it depends on must be committed.
    await this.flush();
    const commands = await sessionSetupCommands(this.step.state, this.runtime.toolPort(this.ref));
    // A rejection (e.g. the session was closed meanwhile) leaves nothing to set up.
    for (const command of commands) this.admit(command);
  }

  /** Settles the staged step and commits it as one append (after its synthesized blobs are in CAS). */
  private async flush(): Promise<void> {
    let settled: Staged;
    try {
      settled = settle(this.step, this.now).staged;
    } catch (error) {
      if (error instanceof PlannerLoopError) throw new restate.TerminalError(error.message);
      throw error;
    }
    if (!hasStaged(settled)) return;
    const lastSeq = this.snapshotSeq ?? this.facts.snapshotSeq;
    const committed = await this.log.commitStaged(settled, settled.state.head - lastSeq >= this.runtime.snapshotEvery);
    if (committed.snapshotSeq !== undefined) this.snapshotSeq = committed.snapshotSeq;
    this.committedSome = true;
    this.runtime.cache.put(this.ref, committed.state);
    this.step = staged(committed.state);
  }
}
