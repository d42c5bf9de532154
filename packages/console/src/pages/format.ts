/** Small display helpers shared by the pages (plain text out; the JSX escapes it). */

export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

export function costText(costUsd: number | null | undefined): string {
  if (costUsd === null || costUsd === undefined) return 'cost unknown';
  return `$${costUsd.toFixed(costUsd < 0.01 ? 4 : 2)}`;
}

export interface UsageLike {
  inputTokens?: number;
  cachedInputTokens?: number;
  outputTokens?: number;
  calls?: number;
  costUsd?: number | null;
}

export function usageText(usage: UsageLike | null | undefined): string {
  if (!usage) return '—';
  const input = (usage.inputTokens ?? 0) + (usage.cachedInputTokens ?? 0);
  return `${input} in · ${usage.outputTokens ?? 0} out · ${usage.calls ?? 0} calls · ${costText(usage.costUsd)}`;
}

/** A long text cut for a preview, with how much was left out. */
export function preview(text: string, max = 2000): { text: string; cut: number } {
  return text.length <= max ? { text, cut: 0 } : { text: text.slice(0, max), cut: text.length - max };
}

export function modelText(model: { providerId: string; model: string } | null | undefined): string {
  return model ? `${model.providerId}/${model.model}` : '—';
}
