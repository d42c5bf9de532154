/** Usage as the server's views carry it (the `usage` Lightspeed extension of run and session views). */
export interface UsageFigures {
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  calls: number;
  costUsd: number | null;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** `$0.0123`: cents are too coarse for one turn, so small costs keep four significant places. */
export function formatCost(costUsd: number | null): string {
  if (costUsd === null) return 'cost unknown (no prices for this model)';
  if (costUsd === 0) return '$0';
  return costUsd >= 1 ? `$${costUsd.toFixed(2)}` : `$${costUsd.toPrecision(3)}`;
}

/** One line: tokens in (cached, cache-write), out (reasoning), provider calls, cost. */
export function usageLine(label: string, usage: UsageFigures | undefined): string {
  if (!usage) return `${label}: not reported by this server`;
  const input = `${count(usage.inputTokens)} in (${count(usage.cachedInputTokens)} cached, ${count(usage.cacheWriteTokens)} cache-write)`;
  const output = `${count(usage.outputTokens)} out (${count(usage.reasoningTokens)} reasoning)`;
  const calls = `${count(usage.calls)} call${usage.calls === 1 ? '' : 's'}`;
  return `${label}: ${input} · ${output} · ${calls} · ${formatCost(usage.costUsd)}`;
}
