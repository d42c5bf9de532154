import { cloneState, own, withKey, type SessionState } from '../core/state.js';
import { sumTotals, type UsageTotals } from './usage.js';

/**
 * The effect a `delegate` call reports when the coding-agent CLI it ran told its usage: the
 * CLI's own provider calls, which never passed through our LLM port, so the engine adds them to
 * the run and session totals when the call's result is applied (and budgets see them from the
 * next planning step on). Data values are decimal strings, as every effect's are.
 */
export const DELEGATED_USAGE_EFFECT = 'delegate.usage';

const COUNTS = ['input', 'cachedInput', 'cacheWrite', 'output', 'reasoning', 'calls'] as const;

/** The totals an effect carries, or undefined when it is malformed (a malformed effect adds nothing). */
export function delegatedUsageOf(data: Record<string, string> | undefined): UsageTotals | undefined {
  if (!data) return undefined;
  const totals: Record<string, number | null> = {};
  for (const key of COUNTS) {
    const value = Number(data[key] ?? '0');
    if (!Number.isSafeInteger(value) || value < 0) return undefined;
    totals[key] = value;
  }
  // A CLI that reports no cost leaves it unknown: showing 0 would read as free.
  const cost = data.costUsd === undefined ? null : Number(data.costUsd);
  if (cost !== null && (!Number.isFinite(cost) || cost < 0)) return undefined;
  totals.costUsd = cost;
  return totals as unknown as UsageTotals;
}

export function withDelegatedUsage(state: SessionState, runId: string, effects: readonly { kind: string; data?: Record<string, string> }[] | undefined): SessionState {
  let next = state;
  for (const effect of effects ?? []) {
    if (effect.kind !== DELEGATED_USAGE_EFFECT) continue;
    const usage = delegatedUsageOf(effect.data);
    const run = own(next.runs, runId);
    if (!usage || !run) continue;
    next = cloneState(next);
    next.usage = sumTotals(next.usage, usage);
    next.runs = withKey(next.runs, runId, { ...run, usage: sumTotals(run.usage, usage) });
  }
  return next;
}
