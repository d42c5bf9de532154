import { describe, expect, it } from 'vitest';
import { DELEGATED_USAGE_EFFECT } from '../src/index.js';
import { SessionHarness, answer, call, ref, tool, toolCalls } from './support/session-harness.js';

const input = { type: 'input' as const, items: [{ type: 'text' as const, ref: ref('hand it over') }] };

describe('delegated usage', () => {
  it("a delegate call's reported usage is added to its run and session totals, and replays the same", () => {
    const h = SessionHarness.open({}, [tool('delegate')]);
    h.ok({ type: 'run.start', source: input });
    h.generate(toolCalls([call('c1', 'delegate')]));
    const batch = h.expect('invokeTools');
    const before = { run: h.state.runs['run_1']!.usage, session: h.state.usage };
    const effects = [{ kind: DELEGATED_USAGE_EFFECT, data: { input: '1000', cachedInput: '10', cacheWrite: '0', output: '50', reasoning: '5', calls: '3' } }];
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: batch.batchId, callId: 'c1', outcome: { status: 'succeeded', resultRef: ref('done + diff'), isError: false, effects } });
    const run = h.state.runs['run_1']!.usage;
    expect(run.input - before.run.input).toBe(1000);
    expect(run.output - before.run.output).toBe(50);
    expect(run.calls - before.run.calls).toBe(3);
    // Claude Code and Codex report no cost in our prices: the run's cost becomes unknown, not 0.
    expect(run.costUsd).toBeNull();
    expect(h.state.usage.input - before.session.input).toBe(1000);
    h.expect('generate');
    h.generate(answer('done'));
    h.settle();
    expect(h.replayed()).toBe(h.live());
  });

  it('a malformed usage effect adds nothing', () => {
    const h = SessionHarness.open({}, [tool('delegate')]);
    h.ok({ type: 'run.start', source: input });
    h.generate(toolCalls([call('c1', 'delegate')]));
    const batch = h.expect('invokeTools');
    const before = h.state.runs['run_1']!.usage;
    h.ok({ type: 'tool.finished', runId: 'run_1', batchId: batch.batchId, callId: 'c1', outcome: { status: 'succeeded', resultRef: ref('x'), isError: false, effects: [{ kind: DELEGATED_USAGE_EFFECT, data: { input: 'lots' } }] } });
    expect(h.state.runs['run_1']!.usage).toEqual(before);
  });
});
