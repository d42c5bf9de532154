import type { ModelPrices, ModelSelection } from '@lightspeed/engine';
import { PRICE_ENTRIES, type PriceEntry } from './price-entries.js';

/** `providerId/model` → prices, or null to mark a model unpriced (its cost shows as unknown). */
export type PriceOverrides = Record<string, ModelPrices | null>;

/** Resolves the prices a session is configured with; undefined = unknown cost. */
export type PriceLookup = (model: ModelSelection) => ModelPrices | undefined;

// A dated snapshot of a listed model: claude-opus-4-5-20251101, gpt-5.4-mini-2026-03-17.
const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

function keyOf(providerId: string, model: string): string {
  return `${providerId}/${model}`;
}

/**
 * The shipped list prices plus overrides (the server config file's `prices`, docs/server-config.md).
 * Matching is exact, or exact after dropping a date suffix, so a model never borrows the price of
 * a neighbour with a similar name: an unlisted model has an unknown cost, never a guessed one.
 */
export class PriceTable {
  private readonly entries = new Map<string, PriceEntry>();
  private readonly overrides: PriceOverrides;

  constructor(options: { overrides?: PriceOverrides; entries?: readonly PriceEntry[] } = {}) {
    for (const entry of options.entries ?? PRICE_ENTRIES) this.entries.set(keyOf(entry.providerId, entry.model), entry);
    this.overrides = options.overrides ?? {};
  }

  /** The shipped entry for a model (with its source and date), if any. */
  entry(model: ModelSelection): PriceEntry | undefined {
    return this.entries.get(keyOf(model.providerId, model.model)) ?? this.entries.get(keyOf(model.providerId, model.model.replace(DATE_SUFFIX, '')));
  }

  pricesFor(model: ModelSelection): ModelPrices | undefined {
    for (const key of [keyOf(model.providerId, model.model), keyOf(model.providerId, model.model.replace(DATE_SUFFIX, ''))]) {
      if (Object.hasOwn(this.overrides, key)) return this.overrides[key] ?? undefined;
    }
    const prices = this.entry(model)?.prices;
    return prices ? { ...prices } : undefined;
  }

  /** A PriceLookup bound to this table. */
  get lookup(): PriceLookup {
    return (model) => this.pricesFor(model);
  }
}
