import { readFileSync } from 'node:fs';
import { openStorage } from '@lightspeed/store-sql';
import { createMemory, LocalEmbedder, MemoryIndexer, MemorySearch, SecretBox } from '../src/index.js';
import { ingestCorpus } from '../test/recall/ingest.js';
import { measureRecall, type LabelledQuery } from '../test/recall/recall.js';

/**
 * Hybrid recall@10 of the labelled query set (test/recall/README.md) with the local model on
 * PGlite, as memory-recall.test.ts measures it; also the local model's indexing throughput.
 */
export async function recallAt10(): Promise<{ hybrid: number; perPath: Record<string, number>; embedPerSecond: number }> {
  const queries = (JSON.parse(readFileSync(new URL('../test/recall/queries.json', import.meta.url), 'utf8')) as { queries: LabelledQuery[] }).queries;
  const storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' }, { migrate: true });
  try {
    const box = SecretBox.fromKey(new Uint8Array(32).fill(5));
    await ingestCorpus(storage, createMemory(storage, { box }), 'bench', box);
    const embedder = new LocalEmbedder();
    await embedder.embed(['warm up: the model loads on the first call']);
    const indexer = new MemoryIndexer({ index: storage.memoryVectors(), embedder });
    const started = performance.now();
    let embedded = 0;
    for (let step = await indexer.step(); step.embedded > 0; step = await indexer.step()) embedded += step.embedded;
    const embedPerSecond = Math.round(embedded / ((performance.now() - started) / 1000));
    const { mean } = await measureRecall(new MemorySearch({ stores: (u) => storage.memorySearch(u), embedder }), 'bench', queries);
    const { hybrid, ...perPath } = mean;
    return { hybrid, perPath, embedPerSecond };
  } finally {
    await storage.close();
  }
}
