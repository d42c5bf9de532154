import { describe, expect, it } from 'vitest';
import { findRun, type BudgetLimits, type RunFailure } from '../src/index.js';
import { SessionHarness, answer, call, ref, tool, toolCalls, usage } from './support/session-harness.js';

const input = { type: 'input' as const, items: [{ type: 'text' as const, ref: ref('go') }] };
const prices = { inputPerMTok: 1_000_000, outputPerMTok: 1_000_000 }; // $1 per token keeps cost arithmetic exact

/** Runs tool rounds until the run ends; returns its failure. Each generation uses 10 input + 5 output tokens ($15). */
function exhaust(h: SessionHarness, runId: string): RunFailure | undefined {
  for (let round = 0; round < 20; round++) {
    const action = h.settle();
    if (action.type === 'idle') break;
    if (action.type === 'generate') {
      h.generate(toolCalls([call(`c${round}`, 't')]));
    } else if (action.type === 'invokeTools') {
      for (const c of action.calls) h.ok({ type: 'tool.finished', runId, batchId: action.batchId, callId: c.callId, outcome: { status: 'succeeded', resultRef: ref('r'), isError: false } });
    } else throw new Error(`unexpected ${action.type}`);
  }
  const run = findRun(h.state, runId)!;
  expect(run.status).toBe('failed');
  return run.failure;
}

const cases: { limit: RunFailure extends infer F ? (F extends { limit: infer L } ? L : never) : never; budgets: BudgetLimits; turns: number }[] = [
  { limit: 'max_turns', budgets: { maxTurns: 2 }, turns: 2 },
  { limit: 'max_tool_rounds', budgets: { maxToolRounds: 1 }, turns: 2 },
  { limit: 'output_tokens', budgets: { maxOutputTokens: 12 }, turns: 3 },
  { limit: 'token_budget', budgets: { tokenBudget: 40 }, turns: 3 },
  { limit: 'cost_budget', budgets: { costBudgetUsd: 40 }, turns: 3 },
];

describe('limits enforced by the planner', () => {
  for (const { limit, budgets, turns } of cases) {
    it(`exceeding ${limit} at run scope fails the run with a typed reason`, () => {
      const h = SessionHarness.open({ prices, limits: budgets }, [tool('t')]);
      h.ok({ type: 'run.start', source: input });
      const failure = exhaust(h, 'run_1');
      expect(failure).toMatchObject({ code: 'limit_exceeded', limit, scope: 'run', max: Object.values(budgets)[0] });
      // The failure says what was used against the limit, in its fields and its message.
      const used = (failure as { used: number }).used;
      expect(used).toBeGreaterThanOrEqual(Object.values(budgets)[0]!);
      expect(failure!.message).toContain(`used ${used} of limits.`);
      expect(findRun(h.state, 'run_1')!.turns).toHaveLength(turns);
      // Every tool call got a result even though the run failed.
      const calls = h.state.context.entries.filter((e) => e.kind.type === 'toolCall').length;
      const results = h.state.context.entries.filter((e) => e.kind.type === 'toolResult').length;
      expect(results).toBe(calls);
      expect(h.replayed()).toBe(h.live());
    });

    it(`exceeding ${limit} at session scope fails the run that crosses it, and later runs`, () => {
      const h = SessionHarness.open({ prices, limits: { session: budgets } }, [tool('t')]);
      h.ok({ type: 'run.start', source: input });
      expect(exhaust(h, 'run_1')).toMatchObject({ code: 'limit_exceeded', limit, scope: 'session' });
      h.ok({ type: 'run.start', source: input });
      const next = exhaust(h, 'run_2');
      expect(next).toMatchObject({ code: 'limit_exceeded', scope: 'session' });
    });
  }

  it('run config overrides the session run-scope limits', () => {
    const h = SessionHarness.open({ limits: { maxTurns: 1 } }, [tool('t')]);
    h.ok({ type: 'run.start', source: input, config: { limits: { maxTurns: 3 } } });
    expect(exhaust(h, 'run_1')).toMatchObject({ limit: 'max_turns', scope: 'run' });
    expect(findRun(h.state, 'run_1')!.turns).toHaveLength(3);
  });

  it('usage is summed per run and per session, failed attempts included', () => {
    const h = SessionHarness.open({ prices }, []);
    h.ok({ type: 'run.start', source: input });
    h.generate(answer('a', { usage: usage({ input: 100, cachedInput: 20, cacheWrite: 3, output: 7, reasoning: 2 }) }));
    h.ok({ type: 'run.start', source: input });
    const gen = h.expect('generate');
    h.ok({ type: 'generation.failed', runId: gen.runId, turnId: gen.turnId, failure: { errorClass: 'server', message: 'overloaded', retryable: true }, usage: usage({ input: 5, output: 1 }) });
    expect(findRun(h.state, 'run_1')!.usage).toMatchObject({ input: 100, cachedInput: 20, cacheWrite: 3, output: 7, reasoning: 2, calls: 1, costUsd: 130 });
    expect(findRun(h.state, 'run_2')!.usage).toMatchObject({ input: 5, output: 1, calls: 1 });
    expect(findRun(h.state, 'run_2')!.failure).toEqual({ code: 'provider_error', errorClass: 'server', message: 'overloaded' });
    expect(h.state.usage).toMatchObject({ input: 105, output: 8, calls: 2, costUsd: 136 });
  });

  it('an unpriced model has an unknown cost (null), never 0; retried attempts count as calls', () => {
    const h = SessionHarness.open({}, []);
    h.ok({ type: 'run.start', source: input });
    const gen = h.expect('generate');
    h.ok({ type: 'generation.finished', runId: gen.runId, turnId: gen.turnId, fingerprint: gen.fingerprint, facts: answer('a'), retriedUsage: [usage({ input: 7, output: 0 })] });
    expect(findRun(h.state, 'run_1')!.usage).toMatchObject({ input: 17, output: 5, calls: 2, costUsd: null });
    expect(h.state.usage.costUsd).toBeNull();
  });

  it('retriedUsage is validated', () => {
    const h = SessionHarness.open({ prices }, []);
    h.ok({ type: 'run.start', source: input });
    const gen = h.expect('generate');
    const bad = h.rejected({ type: 'generation.finished', runId: gen.runId, turnId: gen.turnId, fingerprint: gen.fingerprint, facts: answer('a'), retriedUsage: [{ input: -1 } as never] });
    expect(bad).toMatchObject({ code: 'invalid', message: expect.stringMatching(/^retriedUsage\[0\]/) });
  });

  it('a cost budget without prices is refused at configuration', () => {
    const h = new SessionHarness();
    const rejection = h.rejected({ type: 'session.open', sessionId: h.sessionId, config: { model: { providerId: 'p', apiKind: 'anthropic:messages', model: 'm' }, limits: { costBudgetUsd: 1 } } });
    expect(rejection).toMatchObject({ code: 'invalid', details: { path: 'config.limits.costBudgetUsd' } });
  });
});
