import { describe, expect, it } from 'vitest';
import { cancelledResultText, findRun, refOfText as refOf } from '../src/index.js';
import { SessionHarness, answer, call, ref, tool, toolCalls } from './support/session-harness.js';

const input = (text: string) => ({ type: 'input' as const, items: [{ type: 'text' as const, ref: ref(text) }] });

describe('cancelling runs', () => {
  it('cancelling during a generation cancels the turn and rejects the late generation result', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('q') });
    const gen = h.expect('generate');
    h.ok({ type: 'run.cancel', runId: 'run_1' });
    expect(findRun(h.state, 'run_1')!.status).toBe('cancelling');
    expect(h.settle()).toEqual({ type: 'idle' });
    expect(h.kinds().slice(-3)).toEqual(['run.cancel_requested', 'turn.cancelled', 'run.cancelled']);
    const late = h.rejected({ type: 'generation.finished', runId: gen.runId, turnId: gen.turnId, fingerprint: gen.fingerprint, facts: answer('too late') });
    expect(['conflict', 'not_found']).toContain(late.code);
    expect(findRun(h.state, 'run_1')!.status).toBe('cancelled');
    expect(h.replayed()).toBe(h.live());
  });

  it('cancelling mid-batch gives every open call of a 3-call batch a cancelled result in one append', () => {
    const h = SessionHarness.open({}, [tool('a'), tool('b'), tool('c')]);
    h.ok({ type: 'run.start', source: input('q') });
    h.generate(toolCalls([call('c1', 'a'), call('c2', 'b'), call('c3', 'c')]));
    const invoke = h.expect('invokeTools');
    expect(invoke.calls).toHaveLength(3);
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c2', outcome: { status: 'succeeded', resultRef: ref('r2'), isError: false } });
    h.ok({ type: 'run.cancel', runId: 'run_1' });
    const before = h.log.length;
    const action = h.settle();
    expect(action.type).toBe('idle');
    const appended = h.log.slice(before);
    expect(new Set(appended.map((e) => e.at)).size).toBe(1);
    expect(appended.map((e) => e.kind)).toEqual(['tool.call_finished', 'tool.call_finished', 'turn.cancelled', 'run.cancelled']);
    const finished = appended.filter((e) => e.kind === 'tool.call_finished');
    expect(finished.map((e) => [e.data.callId, e.data.status])).toEqual([
      ['c1', 'cancelled'],
      ['c3', 'cancelled'],
    ]);
    const cancelledRef = finished[0]!.data.resultRef;
    expect(h.blobs.get(cancelledRef)).toBe(cancelledResultText('cancelled by user'));
    expect(refOf(h.blobs.get(cancelledRef)!)).toBe(cancelledRef);
    const results = h.state.context.entries.filter((e) => e.kind.type === 'toolResult').map((e) => (e.kind as { callId: string }).callId);
    expect(results.sort()).toEqual(['c1', 'c2', 'c3']);
    const late = h.rejected({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c1', outcome: { status: 'succeeded', resultRef: ref('r1'), isError: false } });
    expect(['conflict', 'not_found']).toContain(late.code);
    expect(h.replayed()).toBe(h.live());
  });

  it('force cancel does everything in the admission and returns the blobs to store first', () => {
    const h = SessionHarness.open({}, [tool('a')]);
    h.ok({ type: 'run.start', source: input('q') });
    h.generate(toolCalls([call('c1', 'a')]));
    h.expect('invokeTools');
    const admission = h.submit({ type: 'run.cancel', runId: 'run_1', force: true });
    expect(admission.ok && admission.events.map((e) => e.kind)).toEqual(['tool.call_finished', 'turn.cancelled', 'run.cancelled']);
    expect(admission.ok && admission.blobs?.length).toBe(1);
    expect(findRun(h.state, 'run_1')!.status).toBe('cancelled');
    expect(h.settle()).toEqual({ type: 'idle' });
  });

  it('cancelling a queued run removes it at once and the next run starts', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('one') });
    h.ok({ type: 'run.start', source: input('two') });
    h.ok({ type: 'run.start', source: input('three') });
    h.ok({ type: 'run.cancel', runId: 'run_2' });
    expect(h.state.queue).toEqual(['run_1', 'run_3']);
    h.generate(answer('first'));
    expect(h.expect('generate').runId).toBe('run_3');
    expect(h.rejected({ type: 'run.cancel', runId: 'run_2' }).code).toBe('conflict');
    expect(h.rejected({ type: 'run.cancel', runId: 'run_99' }).code).toBe('not_found');
  });
});
