import type { ModelPrices } from '@lightspeed/engine';

/** One shipped list price, with where it was read and when that source stated it. */
export interface PriceEntry {
  /** The built-in provider id the price applies to (a proxy under another id has its own prices). */
  providerId: 'openai' | 'anthropic';
  /** Model id as the provider's API takes it; dated snapshots (`-YYYYMMDD`, `-YYYY-MM-DD`) match it too. */
  model: string;
  prices: ModelPrices;
  /** The page the figures were read from. */
  source: string;
  /** The date that page states for them (or was checked on), YYYY-MM-DD. */
  date: string;
  /** What the price does not model (tiers, derived fields). */
  note?: string;
}

const OPENAI_PRICING = 'https://developers.openai.com/api/docs/pricing';
// Read on 2026-12-02 from these pages, which quote OpenAI's own pricing page.
const OPENAI_READ = 'https://tokenmix.ai/blog/openai-api-cost-2026-gpt-5-5-5-4-nano-batch';
const OPENAI_READ_DATE = '2026-06-04';
const OPENAI_NOTE = `Standard tier, short context (the page's rates apply under 270K tokens of context); per ${OPENAI_PRICING}. OpenAI has no cache-write charge.`;

const ANTHROPIC_PRICING = 'https://platform.claude.com/docs/en/about-claude/pricing';
const FIVE_MINUTE = '5-minute cache writes (the default TTL); 1-hour writes cost more and are not modelled.';

function openai(model: string, inputPerMTok: number, cachedInputPerMTok: number | undefined, outputPerMTok: number): PriceEntry {
  const prices: ModelPrices = { inputPerMTok, outputPerMTok };
  if (cachedInputPerMTok !== undefined) prices.cachedInputPerMTok = cachedInputPerMTok;
  return { providerId: 'openai', model, prices, source: OPENAI_READ, date: OPENAI_READ_DATE, note: cachedInputPerMTok === undefined ? `${OPENAI_NOTE} No cached-input discount listed.` : OPENAI_NOTE };
}

function anthropic(model: string, input: number, cacheWrite: number, cacheHit: number, output: number, source: string, date: string, note = FIVE_MINUTE): PriceEntry {
  return { providerId: 'anthropic', model, prices: { inputPerMTok: input, cacheWritePerMTok: cacheWrite, cachedInputPerMTok: cacheHit, outputPerMTok: output }, source, date, note };
}

/**
 * List prices in USD per million tokens, standard (non-batch, non-priority) processing. Only
 * figures read from a source are here, never extrapolated: a model missing from this table has an
 * unknown cost until an override prices it. Update with the source and date when prices change.
 */
export const PRICE_ENTRIES: readonly PriceEntry[] = [
  // GPT-5.6 tiers (ids as OpenAI's help center names them); cached input at the stated 90% discount.
  { ...openai('gpt-5.6-sol', 5, 0.5, 30), source: 'https://apimaster.ai/blog/gpt-56-sol-terra-luna-preview-2026', date: '2026-06-27' },
  { ...openai('gpt-5.6-terra', 2.5, 0.25, 15), source: 'https://apimaster.ai/blog/gpt-56-sol-terra-luna-preview-2026', date: '2026-06-27' },
  { ...openai('gpt-5.6-luna', 1, 0.1, 6), source: 'https://apimaster.ai/blog/gpt-56-sol-terra-luna-preview-2026', date: '2026-06-27' },
  openai('gpt-5.5', 5, 0.5, 30),
  openai('gpt-5.5-pro', 30, undefined, 180),
  openai('gpt-5.4', 2.5, 0.25, 15),
  openai('gpt-5.4-pro', 30, undefined, 180),
  openai('gpt-5.4-mini', 0.75, 0.075, 4.5),
  openai('gpt-5.4-nano', 0.2, 0.02, 1.25),

  // The official pricing table (model pricing: base input, 5m cache writes, cache hits, output).
  anthropic('claude-fable-5-1', 10, 12.5, 0.25, 50, ANTHROPIC_PRICING, '2026-12-02'),
  anthropic('claude-fable-5', 10, 12.5, 1, 50, ANTHROPIC_PRICING, '2026-12-02'),
  anthropic('claude-opus-5', 5, 6.25, 0.5, 25, ANTHROPIC_PRICING, '2026-12-02'),
  anthropic('claude-opus-4-8', 5, 6.25, 0.5, 25, ANTHROPIC_PRICING, '2026-12-02'),
  anthropic('claude-opus-4-7', 5, 6.25, 0.5, 25, ANTHROPIC_PRICING, '2026-12-02'),
  anthropic('claude-opus-4-6', 5, 6.25, 0.5, 25, ANTHROPIC_PRICING, '2026-12-02'),
  anthropic('claude-opus-4-5', 5, 6.25, 0.5, 25, ANTHROPIC_PRICING, '2026-12-02'),
  anthropic('claude-opus-4-1', 15, 18.75, 1.5, 75, ANTHROPIC_PRICING, '2026-12-02'),
  // Newer than that table's snapshot; cache hits cut to $0.10 on 2026-10-07 (the model page still showed $0.20).
  anthropic(
    'claude-sonnet-5-5',
    2,
    2.5,
    0.1,
    10,
    'https://github.com/phuryn/claude-usage/releases/tag/v1.5.7',
    '2026-12-01',
    `${FIVE_MINUTE} Input, output and cache write from https://platform.claude.com/docs/zh-CN/models/sonnet-5-5/overview; cache hits after the 2026-10-07 cut.`,
  ),
  // Prompts up to 100K tokens; longer prompts cost 5x on every token and are not modelled (underestimated).
  anthropic(
    'claude-haiku-5-5',
    0.1,
    0.125,
    0.01,
    0.5,
    'https://github.com/TheKrush/PromptFuel/releases/tag/v1.0.23',
    '2026-10-07',
    `${FIVE_MINUTE} The up-to-100K-token prompt band; a longer prompt is billed $0.50/$2.50 and is underestimated here.`,
  ),
];
