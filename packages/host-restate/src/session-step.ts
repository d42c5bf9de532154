import { admit, applyAll, plan, stamp, type Action, type Command, type EventDraft, type SessionState, type SynthesizedBlob } from '@lightspeed/engine';
import { persistActionBlobs, scheduleToolCalls, sessionSetupCommands, type SessionRef } from '@lightspeed/driver';
import * as restate from '@restatedev/restate-sdk';
import { appendStep } from './log-append.js';
import { effectKeyOf, effectsServiceRef, sessionObjectRef, type EffectSpec, type SessionFacts, type SubmitReply } from './protocol.js';
import { refOfObjectKey } from './session-key.js';
import type { ServiceRuntime } from './service-runtime.js';

const FACTS = 'facts';
/** A drive loop that appends more than this many times in one step is a planner bug, not progress. */
const MAX_APPENDS_PER_STEP = 10_000;

/**
 * One exclusive-handler invocation of a session object: load the state at the committed head,
 * admit, commit, plan until the engine wants an effect, dispatch it, save the tiny facts. Every
 * journal entry it writes is small and of constant size: the clock, one `append` result per commit
 * (the new head), the facts, and one-way sends carrying ids and refs.
 */
export class SessionStep {
  private factsChanged = false;

  private constructor(
    private readonly ctx: restate.ObjectContext,
    private readonly runtime: ServiceRuntime,
    readonly ref: SessionRef,
    private readonly facts: SessionFacts,
    public state: SessionState,
    private readonly now: number,
  ) {}

  static async begin(ctx: restate.ObjectContext, runtime: ServiceRuntime): Promise<SessionStep> {
    const ref = refOfObjectKey(ctx.key);
    const facts = (await ctx.get<SessionFacts>(FACTS)) ?? { head: 0, inflight: [], snapshotSeq: 0 };
    // Outside ctx.run on purpose: the log up to a committed head is immutable, so replays read the same.
    const state = await runtime.cache.at(ref, facts.head);
    const now = await ctx.date.now();
    return new SessionStep(ctx, runtime, ref, facts, state, now);
  }

  async admit(command: Command): Promise<SubmitReply> {
    const admission = admit(this.state, command, this.now);
    if (!admission.ok) return { ok: false, rejection: admission.rejection };
    if (admission.events.length > 0) await this.commit(admission.events, admission.blobs);
    const reply: SubmitReply = { ok: true, head: this.state.head };
    if (admission.result !== undefined) reply.result = admission.result;
    return reply;
  }

  /**
   * After open/configure: the toolset and the context the features contribute (the driver's shared
   * session setup), resolved once in `ctx.run` (journaled: a replay admits the same commands).
   */
  async setUpSession(): Promise<void> {
    const state = this.state;
    const port = this.runtime.toolPort(this.ref);
    const commands = await this.ctx.run('session setup', () => sessionSetupCommands(state, port));
    for (const command of commands) {
      // A rejection (e.g. the session was closed meanwhile) leaves nothing to set up.
      await this.admit(command);
    }
  }

  /** Fires every promise whose deadline has passed. */
  async fireDueTimers(until: number): Promise<void> {
    if (this.facts.timerAt === until) {
      delete this.facts.timerAt;
      this.factsChanged = true;
    }
    for (const promise of Object.values(this.state.promises)) {
      if (promise.status === 'pending' && promise.deadline !== undefined && promise.deadline <= this.now) {
        await this.admit({ type: 'timer.fired', promiseId: promise.promiseId });
      }
    }
  }

  /** Plans until the engine wants an effect (or nothing), then dispatches and prunes effects. */
  async drive(): Promise<void> {
    for (let i = 0; i < MAX_APPENDS_PER_STEP; i++) {
      const action = plan(this.state);
      if (action.type !== 'append') {
        this.dispatch(action);
        return;
      }
      await this.commit(action.events, action.blobs);
    }
    throw new restate.TerminalError(`session ${this.ref.sessionId}: the planner kept appending`);
  }

  get currentFacts(): SessionFacts {
    return this.facts;
  }

  save(): void {
    if (this.factsChanged) this.ctx.set(FACTS, this.facts);
  }

  private async commit(drafts: EventDraft[], blobs?: SynthesizedBlob[]): Promise<void> {
    const before = this.state;
    const entries = stamp(before, drafts, this.now);
    const after = applyAll(before, entries);
    const { stores, snapshotEvery } = this.runtime;
    const { ref } = this;
    const snapshot = { every: snapshotEvery, lastSeq: this.facts.snapshotSeq };
    const outcome = await this.ctx.run('append', async () => {
      const blobStore = stores.blobs(ref.universe);
      if (blobs?.length) await persistActionBlobs(blobStore, { type: 'append', events: drafts, blobs });
      return appendStep(ref, stores.sessions(ref.universe), blobStore, before, entries, after, snapshot);
    });
    this.state = after;
    this.facts.head = outcome.head;
    if (outcome.snapshotSeq !== undefined) this.facts.snapshotSeq = outcome.snapshotSeq;
    this.factsChanged = true;
    this.runtime.cache.put(ref, after);
    this.runtime.heads.notify(ref, after.head);
  }

  /**
   * Sends the effects the plan wants and that are not in flight yet, and aborts (in this process)
   * the ones it no longer wants: that is how a cancel stops a generation mid-stream.
   */
  private dispatch(action: Exclude<Action, { type: 'append' }>): void {
    const wanted = wantedEffects(action);
    const wantedKeys = new Set(wanted.map(effectKeyOf));
    const stale = this.facts.inflight.filter((key) => !wantedKeys.has(key));
    if (stale.length > 0) this.runtime.registry.abort(this.ref, stale);
    const inflight = this.facts.inflight.filter((key) => wantedKeys.has(key));
    let toStart: EffectSpec[] = wanted.filter((spec) => !inflight.includes(effectKeyOf(spec)));
    if (action.type === 'invokeTools') {
      // One execution group at a time (exclusive calls alone, parallel-safe ones together).
      const busy = inflight.some((key) => key.startsWith('tool:'));
      const pending = action.calls.filter((call) => !inflight.includes(`tool:${call.callId}`));
      const first = busy ? [] : (scheduleToolCalls(pending, this.runtime.toolConcurrency)[0] ?? []);
      toStart = first.map((call) => ({ type: 'tool', call }));
    }
    for (const effect of toStart) {
      const effectKey = effectKeyOf(effect);
      this.ctx.serviceSendClient(effectsServiceRef).perform({ key: this.ctx.key, effectKey, head: this.state.head, effect });
      inflight.push(effectKey);
    }
    if (action.type === 'wait' && action.until !== undefined && this.facts.timerAt !== action.until) {
      const delay = Math.max(0, action.until - this.now);
      this.ctx.objectSendClient(sessionObjectRef, this.ctx.key).timer({ until: action.until }, restate.rpc.sendOpts({ delay }));
      this.facts.timerAt = action.until;
      this.factsChanged = true;
    }
    if (inflight.length !== this.facts.inflight.length || inflight.some((key, i) => key !== this.facts.inflight[i])) {
      this.facts.inflight = inflight;
      this.factsChanged = true;
    }
  }
}

function wantedEffects(action: Exclude<Action, { type: 'append' }>): EffectSpec[] {
  switch (action.type) {
    case 'generate':
      return [{ type: 'generate', action }];
    case 'compact':
      return [{ type: 'compact', action }];
    case 'invokeTools':
      return action.calls.map((call) => ({ type: 'tool', call }));
    default:
      return [];
  }
}
