import './polyfills.js';
import { admit, applyAll, needsSessionSetup, plan, stamp, type Action, type AdmitResult, type Command, type EventDraft, type LogEntry, type Rejection, type SessionState, type SynthesizedBlob } from '@lightspeed/engine';
import { liveKey, persistActionBlobs, scheduleToolCalls, sessionSetupCommands, type SessionRef } from '@lightspeed/driver';
import { AppendConflictError } from '@lightspeed/ports';
import * as restate from '@restatedev/restate-sdk';
import { readCommand } from './command-blob.js';
import { appendStep } from './log-append.js';
import { effectsServiceRef, sessionObjectRef, type BlobRefString, type EffectRequest, type SessionFacts, type SubmitReply } from './protocol.js';
import { refOfObjectKey } from './session-key.js';
import type { ServiceRuntime } from './service-runtime.js';

const FACTS = 'facts';
/** A drive loop that appends more than this many times in one step is a planner bug, not progress. */
const MAX_APPENDS_PER_STEP = 10_000;

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
  private dispatch(action: Exclude<Action, { type: 'append' }>, now: number, refusedKey?: string): void {
    const wanted = wantedKeys(action);
    const stale = this.facts.inflight.filter((key) => !wanted.includes(key));
    if (stale.length > 0) this.runtime.registry.abort(this.ref, stale);
    const inflight = this.facts.inflight.filter((key) => wanted.includes(key));
    let toStart = wanted.filter((key) => !inflight.includes(key));
    if (action.type === 'invokeTools') {
      // One execution group at a time (exclusive calls alone, parallel-safe ones together).
      const busy = inflight.some((key) => key.startsWith('tool:'));
      const pending = action.calls.filter((call) => !inflight.includes(`tool:${call.callId}`));
      const first = busy ? [] : (scheduleToolCalls(pending, this.runtime.toolConcurrency)[0] ?? []);
      toStart = first.map((call) => `tool:${call.callId}`);
    }
    const head = this.facts.head;
    for (const effectKey of toStart) {
      // Re-running an effect whose result was just refused waits a little, so a bug cannot spin hot.
      const request: EffectRequest = { key: this.ctx.key, effectKey, head };
      const effects = this.ctx.serviceSendClient(effectsServiceRef);
      if (effectKey === refusedKey) effects.perform(request, restate.rpc.sendOpts<EffectRequest>({ delay: REFUSED_RESULT_BACKOFF_MS }));
      else effects.perform(request);
      inflight.push(effectKey);
    }
    if (action.type === 'wait' && action.until !== undefined && this.facts.timerAt !== action.until) {
      const delay = Math.max(0, action.until - now);
      this.ctx.objectSendClient(sessionObjectRef, this.ctx.key).timer({ until: action.until }, restate.rpc.sendOpts({ delay }));
      this.facts.timerAt = action.until;
      this.dirty = true;
    }
    if (inflight.length !== this.facts.inflight.length || inflight.some((key, i) => key !== this.facts.inflight[i])) {
      this.facts.inflight = inflight;
      this.dirty = true;
    }
  }
}

/** The effect keys an action wants running; the effects service re-plans at the head to find the action. */
export function wantedKeys(action: Exclude<Action, { type: 'append' }>): string[] {
  switch (action.type) {
    case 'generate':
      return [`generate:${action.turnId}:${action.attempt}`];
    case 'compact':
      return [`compact:${action.compactionId}`];
    case 'invokeTools':
      return action.calls.map((call) => `tool:${call.callId}`);
    default:
      return [];
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
  private state!: SessionState;
  /** The state at the store's head as this run last saw it (what the next append must follow). */
  private committed!: SessionState;
  private readonly now: number;
  private drafts: EventDraft[] = [];
  private blobs: SynthesizedBlob[] = [];
  private committedSome = false;
  private snapshotSeq: number | undefined;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly ref: SessionRef,
    private readonly facts: SessionFacts,
  ) {
    this.now = runtime.clock.now();
  }

  async execute(input: StepInput): Promise<StepOutcome> {
    const base = await this.runtime.cache.at(this.ref, this.facts.head);
    this.state = this.committed = base;
    const outcome: StepOutcome = { head: base.head, at: this.now };
    let setUp = false;
    if (input.type === 'timer') {
      this.fireDueTimers();
    } else {
      const command = input.type === 'command' ? input.command : await readCommand(this.runtime.stores.blobs(this.ref.universe), input.ref);
      const admission = this.admit(command);
      if (!admission.ok) return { ...outcome, rejection: admission.rejection };
      if (admission.result !== undefined) outcome.result = admission.result;
      setUp = command.type === 'session.open' || command.type === 'session.configure';
    }
    // A crash between committing session.open/configure and its setup leaves the toolset behind the config: redo it.
    if (needsSessionSetup(this.state)) setUp = true;
    try {
      await this.finish(setUp);
    } catch (error) {
      if (!(error instanceof AppendConflictError) || this.committedSome) throw error;
      // A previous execution of this very step committed (see above): continue from what it wrote.
      this.state = this.committed = await this.runtime.cache.latest(this.ref);
      this.drafts = [];
      this.blobs = [];
      await this.finish(setUp);
    }
    outcome.head = this.state.head;
    if (this.snapshotSeq !== undefined) outcome.snapshotSeq = this.snapshotSeq;
    return outcome;
  }

  /** Session setup (idempotent: an unchanged toolset or context appends nothing), planning, commit. */
  private async finish(setUp: boolean): Promise<void> {
    if (setUp) await this.setUpSession();
    this.driveAppends();
    await this.flush();
  }

  private admit(command: Command): ReturnType<typeof admit> {
    const admission = admit(this.state, command, this.now);
    if (admission.ok && admission.events.length > 0) this.stage(admission.events, admission.blobs);
    return admission;
  }

  private stage(drafts: EventDraft[], blobs?: SynthesizedBlob[]): void {
    const entries = stamp(this.state, drafts, this.now);
    this.state = applyAll(this.state, entries);
    this.drafts.push(...drafts);
    if (blobs?.length) this.blobs.push(...blobs);
  }

  private async setUpSession(): Promise<void> {
    await this.flush();
    const commands = await sessionSetupCommands(this.state, this.runtime.toolPort(this.ref));
    // A rejection (e.g. the session was closed meanwhile) leaves nothing to set up.
    for (const command of commands) this.admit(command);
  }

  private fireDueTimers(): void {
    for (const promise of Object.values(this.state.promises)) {
      if (promise.status === 'pending' && promise.deadline !== undefined && promise.deadline <= this.now) {
        this.admit({ type: 'timer.fired', promiseId: promise.promiseId });
      }
    }
  }

  private driveAppends(): void {
    for (let i = 0; i < MAX_APPENDS_PER_STEP; i++) {
      const action = plan(this.state);
      if (action.type !== 'append') return;
      this.stage(action.events, action.blobs);
    }
    throw new restate.TerminalError(`session ${this.ref.sessionId}: the planner kept appending`);
  }

  /** Commits the staged drafts as one append (after their synthesized blobs are in CAS). */
  private async flush(): Promise<void> {
    if (this.drafts.length === 0) return;
    const { stores, cache, snapshotEvery } = this.runtime;
    const blobStore = stores.blobs(this.ref.universe);
    if (this.blobs.length > 0) await persistActionBlobs(blobStore, { type: 'append', events: this.drafts, blobs: this.blobs });
    const after = this.state;
    const before = this.committed;
    const entries: LogEntry[] = stamp(before, this.drafts, this.now);
    const outcome = await appendStep(this.ref, stores.sessions(this.ref.universe), blobStore, before, entries, after, {
      every: snapshotEvery,
      lastSeq: this.snapshotSeq ?? this.facts.snapshotSeq,
    });
    if (outcome.snapshotSeq !== undefined) this.snapshotSeq = outcome.snapshotSeq;
    this.committedSome = true;
    cache.put(this.ref, after);
    this.committed = after;
    this.drafts = [];
    this.blobs = [];
  }
}
