import { describe, expect, it } from 'vitest';
import { PRICE_ENTRIES, PriceTable } from '../src/index.js';

const anthropic = (model: string) => ({ providerId: 'anthropic', apiKind: 'anthropic:messages' as const, model });
const openai = (model: string) => ({ providerId: 'openai', apiKind: 'openai:responses' as const, model });

describe('the shipped price table', () => {
  it('gives every entry a source URL, a date, and input and output prices', () => {
    expect(PRICE_ENTRIES.length).toBeGreaterThan(10);
    for (const entry of PRICE_ENTRIES) {
      expect(entry.source).toMatch(/^https:\/\//);
      expect(entry.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(entry.prices.inputPerMTok).toBeGreaterThan(0);
      expect(entry.prices.outputPerMTok).toBeGreaterThan(entry.prices.inputPerMTok);
      // Anthropic bills cache writes and hits at their own rates: both are priced.
      if (entry.providerId === 'anthropic') {
        expect(entry.prices.cacheWritePerMTok).toBeGreaterThan(entry.prices.inputPerMTok);
        expect(entry.prices.cachedInputPerMTok).toBeLessThan(entry.prices.inputPerMTok);
      }
    }
    const keys = PRICE_ENTRIES.map((e) => `${e.providerId}/${e.model}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('matches exactly or a dated snapshot, never a neighbour with a similar name', () => {
    const table = new PriceTable();
    expect(table.pricesFor(openai('gpt-5.4-mini'))).toEqual({ inputPerMTok: 0.75, cachedInputPerMTok: 0.075, outputPerMTok: 4.5 });
    expect(table.pricesFor(openai('gpt-5.4-mini-2026-03-17'))).toEqual(table.pricesFor(openai('gpt-5.4-mini')));
    expect(table.pricesFor(anthropic('claude-opus-4-5-20251101'))).toMatchObject({ inputPerMTok: 5, cacheWritePerMTok: 6.25, cachedInputPerMTok: 0.5, outputPerMTok: 25 });
    // Unlisted: unknown, not the price of gpt-5.4 or of claude-opus-5.
    expect(table.pricesFor(openai('gpt-5.4-micro'))).toBeUndefined();
    expect(table.pricesFor(anthropic('claude-opus-5-5'))).toBeUndefined();
    // A provider id other than the built-in one (a proxy, the fake) has no shipped price.
    expect(table.pricesFor({ ...openai('gpt-5.5'), providerId: 'my-proxy' })).toBeUndefined();
    expect(table.pricesFor({ providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' })).toBeUndefined();
  });

  it('takes overrides: a new price, a changed price, or null to mark a model unpriced', () => {
    const table = new PriceTable({ overrides: { 'fake/fake-echo': { inputPerMTok: 1, outputPerMTok: 2 }, 'openai/gpt-5.5': { inputPerMTok: 4, outputPerMTok: 20 }, 'anthropic/claude-opus-5': null } });
    expect(table.lookup({ providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' })).toEqual({ inputPerMTok: 1, outputPerMTok: 2 });
    expect(table.pricesFor(openai('gpt-5.5'))).toEqual({ inputPerMTok: 4, outputPerMTok: 20 });
    expect(table.pricesFor(anthropic('claude-opus-5'))).toBeUndefined();
    expect(table.entry(anthropic('claude-opus-5'))?.source).toMatch(/^https:\/\/platform\.claude\.com/);
  });
});
