import type { SessionState, UsageTotals } from '@lightspeed/engine';
import type { UsageView } from '../schemas/runs.js';

/**
 * Totals as the API shows them. The cost is null (unknown) when a call was recorded without prices
 * and, before any call, when the session has no prices: an unpriced model never reads as free.
 */
export function usageView(totals: UsageTotals, state: SessionState): UsageView {
  const priced = totals.calls > 0 || state.config?.prices !== undefined;
  return {
    inputTokens: totals.input,
    cachedInputTokens: totals.cachedInput,
    cacheWriteTokens: totals.cacheWrite,
    outputTokens: totals.output,
    reasoningTokens: totals.reasoning,
    calls: totals.calls,
    costUsd: priced ? totals.costUsd : null,
  };
}
