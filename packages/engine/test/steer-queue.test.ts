import { describe, expect, it } from 'vitest';
import { findRun, generationRequest } from '../src/index.js';
import { SessionHarness, answer, call, ref, tool, toolCalls } from './support/session-harness.js';

const input = (text: string) => ({ type: 'input' as const, items: [{ type: 'text' as const, ref: ref(text), preview: text }] });

describe('steering', () => {
  it('steering during the final generation extends the run by another turn that sees the steering', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('write a poem') });
    h.expect('generate');
    expect(h.ok({ type: 'run.steer', runId: 'run_1', input: [{ type: 'text', ref: ref('make it rhyme'), preview: 'make it rhyme' }] })).toEqual({ runId: 'run_1', steeringId: 'steer_1' });
    h.generate(answer('a poem'));
    const next = h.expect('generate');
    expect(next.turnId).toBe('turn_2');
    const items = generationRequest(h.state, 'run_1', 'turn_2').items;
    expect(items.map((e) => e.preview)).toEqual(['write a poem', 'a poem', 'make it rhyme']);
    expect(items[2]!.source).toEqual({ type: 'steering', runId: 'run_1', steeringId: 'steer_1', inputIndex: 0 });
    h.generate(answer('a rhyming poem'));
    h.settle();
    const run = findRun(h.state, 'run_1')!;
    expect(run.status).toBe('completed');
    expect(run.turns).toHaveLength(2);
    expect(run.outputRef).toBe(ref('a rhyming poem'));
    expect(h.replayed()).toBe(h.live());
  });

  it('steering during tools lands at the next turn boundary, after the tool results', () => {
    const h = SessionHarness.open({}, [tool('t')]);
    h.ok({ type: 'run.start', source: input('go') });
    h.generate(toolCalls([call('c1', 't')]));
    const invoke = h.expect('invokeTools');
    h.ok({ type: 'run.steer', runId: 'run_1', input: [{ type: 'text', ref: ref('also this'), preview: 'also this' }] });
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: invoke.batchId, callId: 'c1', outcome: { status: 'succeeded', resultRef: ref('r'), isError: false } });
    h.expect('generate');
    const kinds = generationRequest(h.state, 'run_1', 'turn_2').items.map((e) => e.kind.type + (e.preview ? `:${e.preview}` : ''));
    expect(kinds).toEqual(['message:go', 'toolCall:t', 'toolResult', 'message:also this']);
  });

  it('only the active running run can be steered', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('a') });
    h.ok({ type: 'run.start', source: input('b') });
    h.expect('generate');
    const steer = (runId: string) => ({ type: 'run.steer' as const, runId, input: [{ type: 'text' as const, ref: ref('x') }] });
    expect(h.rejected(steer('run_2')).code).toBe('conflict');
    expect(h.rejected(steer('run_9')).code).toBe('not_found');
    h.ok({ type: 'run.cancel', runId: 'run_1' });
    expect(h.rejected(steer('run_1')).code).toBe('conflict');
  });
});

describe('the run queue', () => {
  it('three runs started while one is active run one after another in FIFO order', () => {
    const h = SessionHarness.open();
    for (const text of ['one', 'two', 'three']) h.ok({ type: 'run.start', source: input(text) });
    expect(h.state.queue).toEqual(['run_1', 'run_2', 'run_3']);
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const gen = h.expect('generate');
      order.push(gen.runId);
      expect(h.state.queue).toHaveLength(2 - i);
      h.generate(answer(`answer ${i}`));
    }
    expect(h.settle()).toEqual({ type: 'idle' });
    expect(order).toEqual(['run_1', 'run_2', 'run_3']);
    expect(['run_1', 'run_2', 'run_3'].map((id) => findRun(h.state, id)!.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it('a duplicate submission with the same payload returns the same run without new events', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', submissionId: 'sub-1', source: input('hi') });
    const head = h.state.head;
    expect(h.ok({ type: 'run.start', submissionId: 'sub-1', source: input('hi') })).toEqual({ runId: 'run_1', duplicate: true });
    expect(h.state.head).toBe(head);
  });

  it('a duplicate submission with a different payload is rejected as duplicate', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', submissionId: 'sub-1', source: input('hi') });
    const rejection = h.rejected({ type: 'run.start', submissionId: 'sub-1', source: input('something else') });
    expect(rejection.code).toBe('duplicate');
    expect(rejection.details).toEqual({ runId: 'run_1' });
    expect(h.rejected({ type: 'run.start', submissionId: 'sub-1', source: input('hi'), config: { generation: { temperature: 0 } } }).code).toBe('duplicate');
  });

  it('a run can start from existing context keys; unknown keys are not found', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'context.put', entries: [{ key: 'task', kind: { type: 'message', role: 'user' }, contentRef: ref('task'), preview: 'task' }] });
    expect(h.rejected({ type: 'run.start', source: { type: 'context', keys: ['nope'] } }).code).toBe('not_found');
    h.ok({ type: 'run.start', source: { type: 'context', keys: ['task'] } });
    h.expect('generate');
    expect(generationRequest(h.state, 'run_1', 'turn_1').items.map((e) => e.preview)).toEqual(['task']);
  });
});

describe('admission bounds', () => {
  it('refuses more queued runs than MAX_QUEUED_RUNS with a limit rejection, but still answers duplicates', async () => {
    const { MAX_QUEUED_RUNS } = await import('../src/index.js');
    const h = SessionHarness.open();
    for (let i = 0; i < MAX_QUEUED_RUNS; i++) h.ok({ type: 'run.start', submissionId: `s${i}`, source: input(`q${i}`) });
    expect(h.rejected({ type: 'run.start', source: input('one too many') }).code).toBe('limit');
    expect(h.ok({ type: 'run.start', submissionId: 's0', source: input('q0') })).toEqual({ runId: 'run_1', duplicate: true });
  });
});
