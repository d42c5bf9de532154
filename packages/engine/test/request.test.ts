import { describe, expect, it } from 'vitest';
import { deserializeState, findRun, fingerprintOf, generationRequest, plan, serializeState } from '../src/index.js';
import { MODEL, SessionHarness, answer, ref, tool } from './support/session-harness.js';

const input = (text: string) => ({ type: 'input' as const, items: [{ type: 'text' as const, ref: ref(text), preview: text }] });

describe('generation requests', () => {
  it('params are the session generation params overridden by the run config; tools are the toolset', () => {
    const h = SessionHarness.open({ generation: { temperature: 0.2, maxOutputTokens: 100, reasoningEffort: 'low' } }, [tool('read')]);
    h.ok({ type: 'run.start', source: input('q'), config: { model: { ...MODEL, model: 'bigger' }, generation: { maxOutputTokens: 500 } } });
    const gen = h.expect('generate');
    const request = generationRequest(h.state, gen.runId, gen.turnId);
    expect(request.params).toEqual({ temperature: 0.2, maxOutputTokens: 500, reasoningEffort: 'low' });
    expect(request.model).toEqual({ ...MODEL, model: 'bigger' });
    expect(request.tools.map((t) => t.name)).toEqual(['read']);
    expect(JSON.stringify(gen).length).toBeLessThan(300);
  });

  it('the fingerprint re-derives identically from a deserialized snapshot and changes with any item', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'context.put', entries: [{ key: 'sys', kind: { type: 'instructions' }, contentRef: ref('sys'), preview: 'sys' }] });
    h.ok({ type: 'run.start', source: input('q') });
    const gen = h.expect('generate');
    const restored = deserializeState(serializeState(h.state));
    expect(plan(restored)).toEqual(gen);
    const request = generationRequest(restored, gen.runId, gen.turnId);
    expect(fingerprintOf(request)).toBe(gen.fingerprint);
    const edited = { ...request, items: request.items.map((e, i) => (i === 1 ? { ...e, preview: 'changed' } : e)) };
    expect(fingerprintOf(edited)).not.toBe(gen.fingerprint);
    const reordered = { ...request, items: [...request.items].reverse() };
    expect(fingerprintOf(reordered)).not.toBe(gen.fingerprint);
    expect(fingerprintOf({ ...request, params: { temperature: 1 } })).not.toBe(gen.fingerprint);
  });
});

describe('provider failures', () => {
  it('a failed generation fails the run with a typed reason and the next queued run starts', () => {
    const h = SessionHarness.open();
    h.ok({ type: 'run.start', source: input('one') });
    h.ok({ type: 'run.start', source: input('two') });
    const gen = h.expect('generate');
    h.ok({ type: 'generation.failed', runId: gen.runId, turnId: gen.turnId, failure: { errorClass: 'auth', message: 'bad key', retryable: false } });
    expect(findRun(h.state, 'run_1')!.failure).toEqual({ code: 'provider_error', errorClass: 'auth', message: 'bad key' });
    expect(h.expect('generate').runId).toBe('run_2');
    h.generate(answer('fine'));
    h.settle();
    expect(findRun(h.state, 'run_2')!.status).toBe('completed');
  });
});
