import { describe, expect, it } from 'vitest';
import { CANCELLED_RESULT_TEXT, RESOLVED_RESULT_TEXT, TIMER_RESULT_TEXT, findRun, listStatus } from '../src/index.js';
import { SessionHarness, answer, call, ref, tool, toolCalls } from './support/session-harness.js';

const input = { type: 'input' as const, items: [{ type: 'text' as const, ref: ref('sleep then answer') }] };

function deferredCall(h: SessionHarness, promiseId: string, deadline?: number) {
  h.ok({ type: 'run.start', source: input });
  h.generate(toolCalls([call('c1', 'sleep'), call('c2', 'read')]));
  const invoke = h.expect('invokeTools');
  h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c1', outcome: deadline === undefined ? { status: 'deferred', promiseId } : { status: 'deferred', promiseId, deadline } });
  return invoke;
}

describe('timers and promises', () => {
  it('a deferred call waits for its timer; the planner waits until the deadline, then completes the call', () => {
    const h = SessionHarness.open({}, [tool('sleep'), tool('read')]);
    const invoke = deferredCall(h, 'p1', 5_000);
    // The deferred call is not invoked again; its sibling still is.
    expect(h.expect('invokeTools').calls.map((c) => c.callId)).toEqual(['c2']);
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c2', outcome: { status: 'succeeded', resultRef: ref('file'), isError: false } });
    expect(h.settle()).toEqual({ type: 'wait', until: 5_000, promiseIds: ['p1'] });
    expect(listStatus(h.state)).toBe('active');
    h.now = 5_000;
    h.ok({ type: 'timer.fired', promiseId: 'p1' });
    h.expect('generate');
    const result = h.state.context.entries.find((e) => e.kind.type === 'toolResult' && e.kind.callId === 'c1')!;
    expect(h.blobs.get(result.contentRef)).toBe(TIMER_RESULT_TEXT);
    expect(h.state.promises).toEqual({});
    expect(h.rejected({ type: 'timer.fired', promiseId: 'p1' }).code).toBe('duplicate');
    h.generate(answer('awake'));
    h.settle();
    expect(findRun(h.state, 'run_1')!.status).toBe('completed');
    expect(h.replayed()).toBe(h.live());
  });

  it('an external resolution wins over a later timer (first writer wins) and its payload is the result', () => {
    const h = SessionHarness.open({}, [tool('sleep'), tool('read')]);
    const invoke = deferredCall(h, 'approval-1', 60_000);
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c2', outcome: { status: 'succeeded', resultRef: ref('file'), isError: false } });
    expect(h.ok({ type: 'promise.resolve', promiseId: 'approval-1', payloadRef: ref('approved') })).toEqual({ promiseId: 'approval-1' });
    expect(h.rejected({ type: 'timer.fired', promiseId: 'approval-1' }).code).toBe('duplicate');
    expect(h.rejected({ type: 'promise.resolve', promiseId: 'approval-1', payloadRef: ref('denied') }).code).toBe('duplicate');
    h.expect('generate');
    const result = h.state.context.entries.find((e) => e.kind.type === 'toolResult' && e.kind.callId === 'c1')!;
    expect(result.contentRef).toBe(ref('approved'));
    expect(h.rejected({ type: 'promise.resolve', promiseId: 'approval-1' }).code).toBe('duplicate');
    expect(h.rejected({ type: 'promise.resolve', promiseId: 'nope' }).code).toBe('not_found');
  });

  it('a promise without a deadline waits with no timer and resolves without a payload', () => {
    const h = SessionHarness.open({}, [tool('sleep'), tool('read')]);
    const invoke = deferredCall(h, 'p2');
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c2', outcome: { status: 'succeeded', resultRef: ref('file'), isError: false } });
    expect(h.settle()).toEqual({ type: 'wait', promiseIds: ['p2'] });
    expect(h.rejected({ type: 'timer.fired', promiseId: 'p2' }).code).toBe('invalid');
    h.ok({ type: 'promise.resolve', promiseId: 'p2' });
    h.expect('generate');
    const result = h.state.context.entries.find((e) => e.kind.type === 'toolResult' && e.kind.callId === 'c1')!;
    expect(h.blobs.get(result.contentRef)).toBe(RESOLVED_RESULT_TEXT);
  });

  it('cancelling a run waiting on a promise cancels the call and drops the promise', () => {
    const h = SessionHarness.open({}, [tool('sleep'), tool('read')]);
    deferredCall(h, 'p3', 9_000);
    h.ok({ type: 'run.cancel', runId: 'run_1', force: true });
    expect(h.state.promises).toEqual({});
    expect(h.rejected({ type: 'timer.fired', promiseId: 'p3' }).code).toBe('duplicate');
    expect(listStatus(h.state)).toBe('idle');
  });

  it('a described wait keeps its kind, bounded preview and detail; a failed answer is an error result the model sees', () => {
    const h = SessionHarness.open({}, [tool('ask_user'), tool('read')]);
    h.ok({ type: 'run.start', source: input });
    h.generate(toolCalls([call('c1', 'ask_user')]));
    const invoke = h.expect('invokeTools');
    const question = 'Which branch? '.repeat(40);
    const wait = { kind: 'question' as const, preview: question, detailRef: ref('{"question":"Which branch?"}') };
    expect(h.rejected({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c1', outcome: { status: 'deferred', promiseId: 'q1', wait: { ...wait, kind: 'poll' as never } } }).code).toBe('invalid');
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c1', outcome: { status: 'deferred', promiseId: 'q1', wait } });
    const stored = h.state.promises.q1!;
    expect(stored.wait).toMatchObject({ kind: 'question', detailRef: wait.detailRef });
    expect(stored.wait!.preview!.length).toBeLessThanOrEqual(200);
    expect(h.rejected({ type: 'promise.resolve', promiseId: 'q1', outcome: 'maybe' as never }).code).toBe('invalid');
    h.ok({ type: 'promise.resolve', promiseId: 'q1', outcome: 'failed', payloadRef: ref('nobody knows') });
    expect(h.rejected({ type: 'promise.resolve', promiseId: 'q1' }).code).toBe('duplicate');
    h.expect('generate');
    const result = h.state.context.entries.find((e) => e.kind.type === 'toolResult' && e.kind.callId === 'c1')!;
    expect(result.kind).toEqual({ type: 'toolResult', callId: 'c1', isError: true });
    expect(result.contentRef).toBe(ref('nobody knows'));
    expect(h.replayed()).toBe(h.live());
  });

  it('a cancelled wait without a reason gets a note saying no answer will come', () => {
    const h = SessionHarness.open({}, [tool('sleep'), tool('read')]);
    const invoke = deferredCall(h, 'p4');
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c2', outcome: { status: 'succeeded', resultRef: ref('file'), isError: false } });
    h.ok({ type: 'promise.resolve', promiseId: 'p4', outcome: 'cancelled' });
    h.expect('generate');
    const result = h.state.context.entries.find((e) => e.kind.type === 'toolResult' && e.kind.callId === 'c1')!;
    expect(result.kind).toMatchObject({ isError: true });
    expect(h.blobs.get(result.contentRef)).toBe(CANCELLED_RESULT_TEXT);
  });
});
