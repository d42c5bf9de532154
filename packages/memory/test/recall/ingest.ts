import type { MemoryProvider, MemorySource } from '@lightspeed/ports';
import type { Storage } from '@lightspeed/store-sql';
import { signDelivery, type Memory, type SecretBox } from '../../src/index.js';
import { corpusDeliveries } from './corpus.js';

/**
 * Ingests the whole corpus into `universe` through the real pipeline (transform, score, graph,
 * dedupe), as `lightspeed memory import --trusted` does: the recorded deliveries are trusted, so
 * the Linear timestamps of the story need not be "now".
 */
export async function ingestCorpus(storage: Storage, memory: Memory, universe: string, box: SecretBox): Promise<void> {
  const sources = new Map<MemoryProvider, MemorySource>();
  for (const provider of ['github', 'linear', 'sentry', 'vercel'] as const) {
    sources.set(provider, await storage.memorySources(universe).put(provider, { provider, eventTypes: [], secret: { kind: 'sealed', sealed: box.seal(`${provider}-secret`, { universe, sourceId: provider }) } }));
  }
  const deliveries = corpusDeliveries();
  for (const provider of sources.keys()) {
    const mine = await Promise.all(
      deliveries
        .filter((d) => d.provider === provider)
        .map(async (d) => {
          const body = new TextEncoder().encode(JSON.stringify(d.payload));
          return { headers: await signDelivery(provider, `${provider}-secret`, body, { ...(d.eventType ? { eventType: d.eventType } : {}), deliveryId: d.deliveryId }), body };
        }),
    );
    for (let i = 0; i < mine.length; i += 100) {
      const answers = await memory.ingress.importDeliveries(universe, sources.get(provider)!, mine.slice(i, i + 100), { trusted: true });
      const refused = answers.find((a) => a.status >= 300);
      if (refused) throw new Error(`corpus delivery refused: ${JSON.stringify(refused.body)}`);
    }
  }
}
