import { describe, expect, it } from 'vitest';
import { compactionRequest, findRun, fingerprintOf, generationRequest, type CompactionFacts } from '../src/index.js';
import { SessionHarness, answer, ref, usage } from './support/session-harness.js';

const input = (text: string) => ({ type: 'input' as const, items: [{ type: 'text' as const, ref: ref(text), preview: text }] });
const summary = (text: string): CompactionFacts => ({ outputs: [{ kind: { type: 'message', role: 'user' }, contentRef: ref(text), preview: text }], usage: usage({ input: 50, output: 10 }) });

function withInstructions(h: SessionHarness): void {
  h.ok({ type: 'context.put', entries: [{ key: 'system', kind: { type: 'instructions' }, contentRef: ref('be brief'), preview: 'be brief' }] });
}

function finishCompaction(h: SessionHarness, text: string) {
  const action = h.expect('compact');
  expect(fingerprintOf(compactionRequest(h.state, action.compactionId))).toBe(action.fingerprint);
  h.ok({ type: 'compaction.finished', compactionId: action.compactionId, facts: summary(text), fingerprint: action.fingerprint });
  return action;
}

describe('compaction', () => {
  it('manual compaction replaces the conversation with the summary and keeps instructions first', () => {
    const h = SessionHarness.open();
    withInstructions(h);
    h.ok({ type: 'run.start', source: input('q1') });
    h.generate(answer('a1'));
    h.settle();
    expect(h.ok({ type: 'context.compact' })).toEqual({ compactionId: 'compact_1' });
    const action = h.expect('compact');
    const request = compactionRequest(h.state, action.compactionId);
    expect(request.items.map((e) => e.preview)).toEqual(['q1', 'a1']);
    expect(request.instructions.map((e) => e.preview)).toEqual(['be brief']);
    // Context edits wait while the compaction runs: its request is pinned to the entries.
    expect(h.rejected({ type: 'context.put', entries: [{ key: 'k', kind: { type: 'message', role: 'user' }, contentRef: ref('x') }] }).code).toBe('busy');
    h.ok({ type: 'compaction.finished', compactionId: action.compactionId, facts: summary('summary of q1/a1') });
    expect(h.state.context.entries.map((e) => e.preview)).toEqual(['be brief', 'summary of q1/a1']);
    expect(h.state.lastCompaction).toMatchObject({ compactionId: 'compact_1', trigger: 'manual', outcome: 'finished', itemCount: 2 });
    expect(h.state.usage.input).toBe(60);
    expect(h.settle()).toEqual({ type: 'idle' });
    expect(h.kinds().slice(-3)).toEqual(['compaction.requested', 'compaction.started', 'compaction.finished']);
    expect(h.replayed()).toBe(h.live());
  });

  it('manual compaction requested during a run waits for the next turn boundary', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('q1') });
    h.expect('generate');
    h.ok({ type: 'context.compact' });
    expect(h.expect('generate').turnId).toBe('turn_1');
    h.generate(answer('a1'));
    expect(h.settle().type).toBe('compact');
    expect(findRun(h.state, 'run_1')!.status).toBe('completed');
    finishCompaction(h, 'sum');
    expect(h.settle()).toEqual({ type: 'idle' });
  });

  it('the high watermark compacts between runs, before the next queued run starts', () => {
    const h = SessionHarness.open({ compaction: { mode: 'auto', thresholdTokens: 100 } });
    h.ok({ type: 'run.start', source: input('q1') });
    h.ok({ type: 'run.start', source: input('q2') });
    h.generate(answer('a1', { usage: usage({ input: 60, cachedInput: 30, cacheWrite: 10 }) }));
    finishCompaction(h, 'summary');
    expect(h.state.lastCompaction).toMatchObject({ trigger: 'watermark', outcome: 'finished' });
    const gen = h.expect('generate');
    expect(gen.runId).toBe('run_2');
    expect(generationRequest(h.state, 'run_2', gen.turnId).items.map((e) => e.preview)).toEqual(['summary', 'q2']);
    h.generate(answer('a2', { usage: usage({ input: 20 }) }));
    expect(h.settle()).toEqual({ type: 'idle' });
  });

  it('below the watermark nothing is compacted', () => {
    const h = SessionHarness.open({ compaction: { mode: 'auto', thresholdTokens: 100 } });
    h.ok({ type: 'run.start', source: input('q1') });
    h.generate(answer('a1', { usage: usage({ input: 99 }) }));
    expect(h.settle()).toEqual({ type: 'idle' });
    expect(h.state.compaction).toBeUndefined();
  });

  it('a context_length finish compacts mid-run and retries the same turn', () => {
    const h = SessionHarness.open();
    withInstructions(h);
    h.ok({ type: 'run.start', source: input('huge question') });
    h.generate({ finishReason: 'context_length', usage: usage({ output: 0 }), outputs: [], toolCalls: [] });
    expect(h.state.compaction).toMatchObject({ trigger: 'context_length', runId: 'run_1', turnId: 'turn_1' });
    finishCompaction(h, 'the question, summarised');
    const retry = h.expect('generate');
    expect(retry).toMatchObject({ runId: 'run_1', turnId: 'turn_1', attempt: 2 });
    expect(generationRequest(h.state, 'run_1', 'turn_1').items.map((e) => e.preview)).toEqual(['be brief', 'the question, summarised']);
    h.generate(answer('fits now'));
    h.settle();
    expect(findRun(h.state, 'run_1')).toMatchObject({ status: 'completed', outputRef: ref('fits now') });
    expect(findRun(h.state, 'run_1')!.usage.input).toBe(70);
    expect(h.replayed()).toBe(h.live());
  });

  it('a second context overflow right after a compaction fails the run', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('huge') });
    const overflow = { finishReason: 'context_length' as const, usage: usage(), outputs: [], toolCalls: [] };
    h.generate(overflow);
    finishCompaction(h, 'still huge');
    h.generate(overflow);
    expect(findRun(h.state, 'run_1')!.failure).toMatchObject({ code: 'context_length' });
    expect(h.settle()).toEqual({ type: 'idle' });
  });

  it('a context-length provider error is handled like a context_length finish', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('huge') });
    const gen = h.expect('generate');
    h.ok({ type: 'generation.failed', runId: gen.runId, turnId: gen.turnId, failure: { errorClass: 'context_length', message: 'too long', retryable: false } });
    finishCompaction(h, 'short');
    expect(h.expect('generate').attempt).toBe(2);
  });

  it('a failed mid-run compaction fails the run; a failed watermark compaction does not loop', () => {
    const h = SessionHarness.open({ compaction: { mode: 'auto', thresholdTokens: 10 } });
    h.ok({ type: 'run.start', source: input('huge') });
    h.generate({ finishReason: 'context_length', usage: usage(), outputs: [], toolCalls: [] });
    const action = h.expect('compact');
    h.ok({ type: 'compaction.failed', compactionId: action.compactionId, failure: { errorClass: 'server', message: 'down', retryable: false } });
    expect(findRun(h.state, 'run_1')!.failure).toMatchObject({ code: 'compaction_failed' });
    expect(h.settle()).toEqual({ type: 'idle' });
    h.ok({ type: 'run.start', source: input('again') });
    h.generate(answer('ok', { usage: usage({ input: 50 }) }));
    const watermark = h.expect('compact');
    h.ok({ type: 'compaction.failed', compactionId: watermark.compactionId, failure: { errorClass: 'server', message: 'down', retryable: false } });
    expect(h.settle()).toEqual({ type: 'idle' });
  });
});
