import type { Usage } from '../request/generation.js';
import type { ModelPrices } from '../request/model.js';

/**
 * Usage summed over provider calls (generations, failed attempts that reported usage, and
 * compactions), with the cost computed at the prices configured when each call was recorded.
 * `costUsd` is null (unknown) as soon as one call was recorded without prices: an unpriced call
 * has a cost nobody here knows, and showing 0 would read as "free".
 */
export interface UsageTotals extends Usage {
  costUsd: number | null;
  /** Provider calls counted (including failed attempts that reported usage). */
  calls: number;
}

export const ZERO_TOTALS: UsageTotals = { input: 0, cachedInput: 0, cacheWrite: 0, output: 0, reasoning: 0, costUsd: 0, calls: 0 };

/**
 * Cost of one call, undefined when the model has no prices. Cached and cache-write tokens default
 * to the input price when not priced.
 */
export function costOf(usage: Usage, prices: ModelPrices | undefined): number | undefined {
  if (!prices) return undefined;
  const cached = prices.cachedInputPerMTok ?? prices.inputPerMTok;
  const write = prices.cacheWritePerMTok ?? prices.inputPerMTok;
  return (usage.input * prices.inputPerMTok + usage.cachedInput * cached + usage.cacheWrite * write + usage.output * prices.outputPerMTok) / 1_000_000;
}

export function addUsage(totals: UsageTotals, usage: Usage, prices: ModelPrices | undefined): UsageTotals {
  return {
    input: totals.input + usage.input,
    cachedInput: totals.cachedInput + usage.cachedInput,
    cacheWrite: totals.cacheWrite + usage.cacheWrite,
    output: totals.output + usage.output,
    reasoning: totals.reasoning + usage.reasoning,
    costUsd: addCost(totals.costUsd, costOf(usage, prices)),
    calls: totals.calls + 1,
  };
}

/** Two totals added (a child run's usage rolled up into its parent's). */
export function sumTotals(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    input: a.input + b.input,
    cachedInput: a.cachedInput + b.cachedInput,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    output: a.output + b.output,
    reasoning: a.reasoning + b.reasoning,
    costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd + b.costUsd,
    calls: a.calls + b.calls,
  };
}

function addCost(total: number | null, cost: number | undefined): number | null {
  return total === null || cost === undefined ? null : total + cost;
}

/** At most this many retried attempts' usages ride on one result (the retry policy allows far fewer). */
export const MAX_RETRIED_USAGE = 64;

/** Adds the usage of each earlier (failed, retried) attempt: each is one provider call. */
export function addRetriedUsage(totals: UsageTotals, retried: readonly Usage[] | undefined, prices: ModelPrices | undefined): UsageTotals {
  let next = totals;
  for (const usage of retried ?? []) next = addUsage(next, usage, prices);
  return next;
}

/** Validates and normalises a command's `retriedUsage`; a string is the rejection message. */
export function checkRetriedUsage(value: unknown): Usage[] | string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_RETRIED_USAGE) return `retriedUsage: expected at most ${MAX_RETRIED_USAGE} usages`;
  const out: Usage[] = [];
  for (const [i, usage] of value.entries()) {
    if (!validateUsage(usage)) return `retriedUsage[${i}]: expected non-negative integer token counts`;
    out.push(normalizeUsage(usage));
  }
  return out.length > 0 ? out : undefined;
}

/** Tokens counted against a token budget. Reasoning tokens are part of output and not added again. */
export function budgetTokens(totals: Usage): number {
  return totals.input + totals.cachedInput + totals.cacheWrite + totals.output;
}

/** The prompt size of a call: what the context costs to send (the compaction watermark measure). */
export function promptTokens(usage: Usage): number {
  return usage.input + usage.cachedInput + usage.cacheWrite;
}

export function validateUsage(value: unknown): value is Usage {
  if (typeof value !== 'object' || value === null) return false;
  const usage = value as Record<string, unknown>;
  for (const field of ['input', 'cachedInput', 'cacheWrite', 'output', 'reasoning']) {
    const n = usage[field];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return false;
  }
  return true;
}

/** Usage normalised to the five counters (drops unknown fields so events stay small and canonical). */
export function normalizeUsage(usage: Usage): Usage {
  return { input: usage.input, cachedInput: usage.cachedInput, cacheWrite: usage.cacheWrite, output: usage.output, reasoning: usage.reasoning };
}
