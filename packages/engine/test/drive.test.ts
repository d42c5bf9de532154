import { describe, expect, it } from 'vitest';
import {
  MAX_SETTLE_APPENDS,
  Mutex,
  PlannerLoopError,
  dueTimers,
  effectKeys,
  plan,
  reconcile,
  settle,
  staged,
  type Action,
  type NextAction,
} from '../src/index.js';
import { SessionHarness, call, ref, tool, toolCalls } from './support/session-harness.js';

const input = { type: 'input' as const, items: [{ type: 'text' as const, ref: ref('hello') }] };

describe('settle', () => {
  it('stages the planner follow-ups of a step and stops at the first effect, committing nothing itself', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input });
    const before = h.state;
    const { staged: step, action } = settle(staged(before), 5_000);
    expect(action.type).toBe('generate');
    expect(step.base).toBe(before);
    expect(h.state).toBe(before);
    // Consecutive seqs after the base head, all stamped at the step's time.
    expect(step.entries.map((e) => e.seq)).toEqual(step.entries.map((_, i) => before.head + 1 + i));
    expect(new Set(step.entries.map((e) => e.at))).toEqual(new Set([5_000]));
    expect(step.state.head).toBe(before.head + step.entries.length);
    // The same action the planner gives for the settled state.
    expect(plan(step.state)).toEqual(action);
  });

  it('a settled state settles to itself with nothing staged', () => {
    const h = SessionHarness.open();
    const { staged: step, action } = settle(staged(h.state), 1);
    expect(action).toEqual({ type: 'idle' });
    expect(step.entries).toEqual([]);
    expect(step.state).toBe(h.state);
  });

  it('a planner that never stops appending hits the one bound with a typed error', () => {
    const h = SessionHarness.open();
    let calls = 0;
    const looping = (): Action => {
      calls++;
      return { type: 'append', events: [{ kind: 'session.renamed', data: { displayName: `n${calls}` } }] } as Action;
    };
    expect(() => settle(staged(h.state), 1, looping)).toThrow(PlannerLoopError);
    expect(calls).toBe(MAX_SETTLE_APPENDS + 1);
  });
});

describe('reconcile', () => {
  function generateAction(h: SessionHarness) {
    return h.expect('generate');
  }

  it('starts a wanted generation once; the same action planned again starts nothing', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input });
    const action = generateAction(h);
    const first = reconcile(action, [], 8);
    expect(first.start.map((e) => e.key)).toEqual([`generate:${action.turnId}:${action.attempt}`]);
    expect(first.abort).toEqual([]);
    expect(reconcile(plan(h.state) as NextAction, first.start.map((e) => e.key), 8)).toEqual({ start: [], abort: [] });
  });

  it('aborts what the planner no longer wants: a cancelled run leaves the generation unwanted', () => {
    const h = SessionHarness.open();
    const { runId } = h.ok({ type: 'run.start', source: input });
    const key = effectKeys(generateAction(h))[0]!;
    h.ok({ type: 'run.cancel', runId: runId! });
    const next = h.settle() as NextAction;
    expect(next.type).toBe('idle');
    expect(reconcile(next, [key], 8)).toEqual({ start: [], abort: [key] });
  });

  it('starts tool calls one execution group at a time: an exclusive call runs alone, after the calls before it', () => {
    const h = SessionHarness.open({}, [tool('read'), tool('write', 'exclusive')]);
    h.ok({ type: 'run.start', source: input });
    h.generate(toolCalls([call('c1', 'read'), call('c2', 'read'), call('c3', 'write'), call('c4', 'read')]));
    const invoke = h.expect('invokeTools');
    const first = reconcile(invoke, [], 8);
    expect(first.start.map((e) => e.key)).toEqual(['tool:c1', 'tool:c2']);
    // While a call of the batch runs, nothing else starts.
    expect(reconcile(invoke, ['tool:c1', 'tool:c2'], 8).start).toEqual([]);
    for (const callId of ['c1', 'c2']) {
      h.ok({ type: 'tool.finished', runId: invoke.runId, batchId: invoke.batchId, callId, outcome: { status: 'succeeded', resultRef: ref(callId), isError: false } });
    }
    const rest = h.expect('invokeTools');
    const second = reconcile(rest, ['tool:c1'], 8);
    expect(second.start.map((e) => e.key)).toEqual(['tool:c3']);
    expect(second.abort).toEqual(['tool:c1']);
    // Concurrency bounds a group of parallel-safe calls.
    expect(reconcile(invoke, [], 1).start.map((e) => e.key)).toEqual(['tool:c1']);
  });

  it('a wait with a deadline asks to wake at it; due timers fire only for pending promises past their deadline', () => {
    const h = SessionHarness.open({}, [tool('sleep')]);
    h.ok({ type: 'run.start', source: input });
    h.generate(toolCalls([call('c1', 'sleep')]));
    const invoke = h.expect('invokeTools');
    h.ok({ type: 'tool.finished', runId: invoke.runId, batchId: invoke.batchId, callId: 'c1', outcome: { status: 'deferred', promiseId: 'p1', deadline: 9_000 } });
    const wait = h.expect('wait');
    expect(reconcile(wait, [], 8)).toEqual({ start: [], abort: [], wakeAt: 9_000 });
    expect(dueTimers(h.state, 8_999)).toEqual([]);
    expect(dueTimers(h.state, 9_000)).toEqual([{ type: 'timer.fired', promiseId: 'p1' }]);
    h.now = 9_000;
    h.ok({ type: 'timer.fired', promiseId: 'p1' });
    expect(dueTimers(h.state, 20_000)).toEqual([]);
  });
});

describe('effect keys', () => {
  it('name an effect durably: the same attempt planned again is the same effect; a superseded attempt is a new one', () => {
    const h = SessionHarness.open({}, [tool('read')]);
    h.ok({ type: 'run.start', source: input });
    const action = h.expect('generate');
    expect(effectKeys(plan(h.state))).toEqual(effectKeys(action));
    // A toolset edit mid-generation makes the request stale: the planner asks for a new attempt,
    // so reconcile aborts the old one and starts the new one.
    h.ok({ type: 'tools.replace', tools: [tool('read'), tool('write')] });
    const superseding = h.expect('generate');
    expect(superseding.attempt).toBe(action.attempt + 1);
    const { start, abort } = reconcile(superseding, effectKeys(action), 8);
    expect(abort).toEqual(effectKeys(action));
    expect(start.map((e) => e.key)).toEqual(effectKeys(superseding));
    expect(effectKeys({ type: 'idle' })).toEqual([]);
  });
});

describe('Mutex', () => {
  it('runs sections one at a time in arrival order, and a failed section does not block the next', async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    const section = (name: string, fail = false) =>
      mutex.run(async () => {
        order.push(`${name}:in`);
        await Promise.resolve();
        order.push(`${name}:out`);
        if (fail) throw new Error(name);
      });
    const results = await Promise.allSettled([section('a'), section('b', true), section('c')]);
    expect(order).toEqual(['a:in', 'a:out', 'b:in', 'b:out', 'c:in', 'c:out']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
