import { describe, expect, it } from 'vitest';
import { findRun, fingerprintOf, generationRequest, listStatus } from '../src/index.js';
import { SessionHarness, answer, call, ref, tool, toolCalls } from './support/session-harness.js';

const hello = { type: 'input' as const, items: [{ type: 'text' as const, ref: ref('hello'), preview: 'hello' }] };

describe('a run from input to answer', () => {
  it('starts, generates, and completes with the assistant message as output', () => {
    const h = SessionHarness.open();
    expect(h.ok({ type: 'run.start', source: hello })).toEqual({ runId: 'run_1' });
    expect(listStatus(h.state)).toBe('active');
    const gen = h.expect('generate');
    expect(gen).toMatchObject({ runId: 'run_1', turnId: 'turn_1', attempt: 1 });
    expect(fingerprintOf(generationRequest(h.state, gen.runId, gen.turnId))).toBe(gen.fingerprint);
    h.generate(answer('hi there'));
    expect(h.settle()).toEqual({ type: 'idle' });
    const run = findRun(h.state, 'run_1')!;
    expect(run.status).toBe('completed');
    expect(run.outputRef).toBe(ref('hi there'));
    expect(h.state.usage).toMatchObject({ input: 10, output: 5, calls: 1 });
    expect(h.kinds()).toEqual(['session.opened', 'run.accepted', 'run.started', 'turn.started', 'turn.generation_finished', 'turn.completed', 'run.completed']);
    expect(listStatus(h.state)).toBe('idle');
    expect(h.replayed()).toBe(h.live());
  });

  it('runs tool calls in a batch, each completing on its own, then takes another turn', () => {
    const h = SessionHarness.open({}, [tool('read'), tool('write', 'exclusive')]);
    h.ok({ type: 'run.start', source: hello });
    h.generate(toolCalls([call('c1', 'read'), call('c2', 'write')]));
    const invoke = h.expect('invokeTools');
    expect(invoke.calls.map((c) => [c.callId, c.parallelism])).toEqual([
      ['c1', 'parallelSafe'],
      ['c2', 'exclusive'],
    ]);
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c2', outcome: { status: 'succeeded', resultRef: ref('ok2'), isError: false } });
    expect(h.expect('invokeTools').calls.map((c) => c.callId)).toEqual(['c1']);
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c1', outcome: { status: 'failed', resultRef: ref('boom'), isError: true } });
    const second = h.expect('generate');
    expect(second.turnId).toBe('turn_2');
    const items = generationRequest(h.state, 'run_1', 'turn_2').items;
    expect(items.map((e) => e.kind.type)).toEqual(['message', 'toolCall', 'toolCall', 'toolResult', 'toolResult']);
    // c2 finished first, yet results follow call order once the batch is complete (stable prefix).
    expect(items.slice(3).map((e) => (e.kind as { callId: string }).callId)).toEqual(['c1', 'c2']);
    h.generate(answer('done'));
    h.settle();
    expect(findRun(h.state, 'run_1')!.status).toBe('completed');
    expect(h.replayed()).toBe(h.live());
  });
});
