import { runBudgets, sessionBudgets, type BudgetLimits } from '../session/config.js';
import type { LimitName, RunFailure, RunState } from './run.js';
import type { SessionState } from '../core/state.js';
import { budgetTokens, type UsageTotals } from './usage.js';

/**
 * Limits are enforced by the planner at two points:
 * - before a turn starts (and before a tool batch opens): a budget with no room left (used ≥ limit)
 *   or a count that reached its maximum fails the run;
 * - after each generation: a budget overrun (used > limit) fails the run, even if the generation
 *   produced a final answer (the answer stays in context).
 * Run scope is checked before session scope.
 */
type Phase = 'before_turn' | 'before_batch' | 'after_generation';

interface Counts {
  turns: number;
  toolRounds: number;
  usage: UsageTotals;
}

const LABEL: Record<LimitName, string> = {
  max_turns: 'maxTurns',
  max_tool_rounds: 'maxToolRounds',
  output_tokens: 'maxOutputTokens',
  token_budget: 'tokenBudget',
  cost_budget: 'costBudgetUsd',
};

function failure(limit: LimitName, scope: 'run' | 'session', max: number, used: number | null): RunFailure {
  const field = scope === 'run' ? `limits.${LABEL[limit]}` : `limits.session.${LABEL[limit]}`;
  const figure = used === null ? 'an unknown cost (calls were made before prices were set)' : `${used}`;
  const message = `the ${scope} reached its ${limit} limit: used ${figure} of ${field} = ${max}; raise the limit to continue`;
  return { code: 'limit_exceeded', limit, scope, message, max, used };
}

function check(limits: BudgetLimits, counts: Counts, scope: 'run' | 'session', phase: Phase): RunFailure | undefined {
  if (phase === 'before_turn' && limits.maxTurns !== undefined && counts.turns >= limits.maxTurns) return failure('max_turns', scope, limits.maxTurns, counts.turns);
  if (phase === 'before_batch' && limits.maxToolRounds !== undefined && counts.toolRounds >= limits.maxToolRounds) return failure('max_tool_rounds', scope, limits.maxToolRounds, counts.toolRounds);
  if (phase === 'before_batch') return undefined;
  const over = phase === 'after_generation' ? (used: number, limit: number) => used > limit : (used: number, limit: number) => used >= limit;
  if (limits.maxOutputTokens !== undefined && over(counts.usage.output, limits.maxOutputTokens)) return failure('output_tokens', scope, limits.maxOutputTokens, counts.usage.output);
  const tokens = budgetTokens(counts.usage);
  if (limits.tokenBudget !== undefined && over(tokens, limits.tokenBudget)) return failure('token_budget', scope, limits.tokenBudget, tokens);
  // Calls recorded before the session had prices have an unknown cost: it cannot be shown to fit.
  const cost = counts.usage.costUsd;
  if (limits.costBudgetUsd !== undefined && (cost === null || over(cost, limits.costBudgetUsd))) return failure('cost_budget', scope, limits.costBudgetUsd, cost);
  return undefined;
}

export function limitFailure(state: SessionState, run: RunState, phase: Phase): RunFailure | undefined {
  const runCounts: Counts = { turns: run.turns.length, toolRounds: run.batches.length, usage: run.usage };
  const sessionCounts: Counts = { turns: state.activity.turns, toolRounds: state.activity.toolRounds, usage: state.usage };
  return check(runBudgets(state.config, run.config), runCounts, 'run', phase) ?? check(sessionBudgets(state.config), sessionCounts, 'session', phase);
}
