/*
 * The search half of bench:memory (issue 17): hybrid search over 100,000 events on PGlite, the
 * query's embedding included. The corpus is bulk-inserted by SQL (the ingest pipeline is measured
 * by the other half): titles and bodies composed from a vocabulary of engineering words, each
 * event a PR, issue, deployment or error with its primary entity. Vectors (`vectors`):
 * - `local` (default): the query is embedded by the real all-MiniLM-L6-v2 inside the timed span;
 *   the corpus' 384-dimension vectors are composed in the model's own space — the normalised sum
 *   of the model's vectors of the event's phrases (verb, component, problem, place, details) —
 *   because embedding 100,000 texts with the model takes this machine ~1.5 h. Search sees
 *   realistic dimensions and neighbourhoods; the model runs for every query, as in production.
 * - `fake`: the fake embedder (a hashed bag of words, 64 dimensions) for corpus and query.
 * Vectors are stored the way the indexer stores them; the HNSW index is built after them, by
 * `prepare`, as a re-index of an existing corpus would. Queries mix words, questions and entity
 * keys (#123, ENG-42); each is timed end to end.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LATEST_SCHEMA_VERSION, openStorage, type Storage } from '@lightspeed/store-sql';
import type { Embedder } from '@lightspeed/ports';
import { FakeEmbedder, LocalEmbedder, MemorySearch, embeddingText } from '../src/index.js';

const COMPONENTS = ['checkout', 'login', 'billing', 'search', 'profile', 'settings', 'dashboard', 'invoice', 'payment', 'session', 'cache', 'webhook', 'scheduler', 'export', 'upload', 'avatar', 'notification', 'email', 'api', 'gateway', 'worker', 'queue', 'database', 'migration', 'sidebar', 'editor', 'onboarding', 'report', 'pricing', 'cart'];
const PROBLEMS = ['timeout', 'crash', 'leak', 'regression', 'race', 'deadlock', 'flake', 'slowdown', 'outage', 'overflow', 'mismatch', 'typo', 'panic', 'retry', 'spike', 'error', 'failure', 'latency', 'corruption', 'hang'];
const VERBS = ['fix', 'handle', 'retry', 'guard', 'cache', 'refactor', 'speed up', 'log', 'validate', 'paginate', 'debounce', 'batch', 'stream', 'rename', 'document'];
const PLACES = ['on mobile', 'in Safari', 'for admins', 'under load', 'after deploy', 'in staging', 'for new users', 'at midnight', 'behind the proxy', 'with SSO', 'on retry', 'in the EU region'];
const DETAIL = ['Customers reported it twice this week.', 'Seen in Sentry since the last release.', 'Only when the feature flag is on.', 'Reproduced locally with a slow network.', 'The stack trace points at the serializer.', 'Rollback fixed it temporarily.', 'Happens on every third request.', 'Blocks the quarterly release.'];
const KINDS = [
  { provider: 'github', type: 'pull_request', primary: 'pr' },
  { provider: 'github', type: 'issues', primary: 'issue' },
  { provider: 'linear', type: 'Issue', primary: 'issue' },
  { provider: 'vercel', type: 'deployment.succeeded', primary: 'deployment' },
  { provider: 'sentry', type: 'issue', primary: 'error' },
] as const;

/** A small deterministic generator: the same corpus every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)]!;
}

function corpusEvent(i: number, next: () => number) {
  const kind = KINDS[i % KINDS.length]!;
  const [verb, component, problem, place] = [pick(next, VERBS), pick(next, COMPONENTS), pick(next, PROBLEMS), pick(next, PLACES)];
  const [detail, problem2, place2, detail2] = [pick(next, DETAIL), pick(next, PROBLEMS), pick(next, PLACES), pick(next, DETAIL)];
  const title = `${verb} ${component} ${problem} ${place}`;
  const body = `${detail} The ${component} ${problem2} shows up ${place2}. ${detail2}`;
  const key = kind.provider === 'linear' ? `linear:ENG-${i}` : kind.primary === 'deployment' ? `vercel:dpl_${i}` : kind.primary === 'error' ? `sentry:${i}` : `github:octo/app#${i}`;
  const phrases = [verb, component, problem, place, detail, problem2, place2, detail2, kind.type];
  return { eventId: `mev_bench_${i}`, ...kind, title, body, key, phrases, occurredAt: Date.UTC(2026, 0, 1) + i * 60_000, significance: Math.floor(next() * 100) };
}

type CorpusEvent = ReturnType<typeof corpusEvent>;

/** Corpus vectors: the fake embedder's of each text, or the sum of the local model's phrase vectors (see the top). */
async function corpusVectors(kind: 'local' | 'fake'): Promise<{ embedder: Embedder; vectorsOf: (rows: CorpusEvent[]) => Promise<Float32Array[]> }> {
  if (kind === 'fake') {
    const embedder = new FakeEmbedder();
    return { embedder, vectorsOf: (rows) => embedder.embed(rows.map((r) => embeddingText(r))) };
  }
  const embedder = new LocalEmbedder();
  const phrases = [...new Set([...VERBS, ...COMPONENTS, ...PROBLEMS, ...PLACES, ...DETAIL, ...KINDS.map((k) => k.type)])];
  const phraseVectors = new Map((await embedder.embed(phrases)).map((v, i) => [phrases[i]!, v]));
  const compose = (row: CorpusEvent): Float32Array => {
    const sum = new Float32Array(embedder.dimensions);
    for (const phrase of row.phrases) phraseVectors.get(phrase)!.forEach((x, d) => (sum[d]! += x));
    const norm = Math.hypot(...sum);
    return sum.map((x) => x / norm);
  };
  return { embedder, vectorsOf: async (rows) => rows.map(compose) };
}

export interface SearchFigures {
  p50: number;
  p95: number;
  vectors: string;
  seedSeconds: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** The corpus, bulk-inserted by SQL, 5,000 events a transaction. */
async function seedCorpus(storage: Storage, universe: string, count: number, embedder: Embedder, vectorsOf: (rows: CorpusEvent[]) => Promise<Float32Array[]>): Promise<void> {
  const next = random(17);
  const BATCH = 5000;
  for (let start = 0; start < count; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, count - start) }, (_, j) => corpusEvent(start + j, next));
    const resolved = await vectorsOf(rows);
    await storage.driver.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO ls_memory_events (universe, event_id, source_id, provider, type, occurred_at, source_key, primary_type, primary_key, related, title, body, attributes, significance, factors, received_at)
         SELECT $1, id, provider, provider, type, at, id, ptype, pkey, '[]', title, body, '{}', sig, '[]', at
         FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::integer[]) AS x(id, provider, type, at, ptype, pkey, title, body, sig)`,
        [universe, rows.map((r) => r.eventId), rows.map((r) => r.provider), rows.map((r) => r.type), rows.map((r) => r.occurredAt), rows.map((r) => r.primary), rows.map((r) => r.key), rows.map((r) => r.title), rows.map((r) => r.body), rows.map((r) => r.significance)],
      );
      await tx.query(
        `INSERT INTO ls_memory_entities (universe, type, key, title, first_seen, last_seen, event_count)
         SELECT $1, t, k, title, at, at, 1 FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS x(t, k, title, at) ON CONFLICT DO NOTHING`,
        [universe, rows.map((r) => r.primary), rows.map((r) => r.key), rows.map((r) => r.title), rows.map((r) => r.occurredAt)],
      );
      await tx.query(
        `INSERT INTO ls_memory_embeddings (universe, model, event_id, dims, embedding, indexed_at)
         SELECT $1, $2, id, $3, v::real[], 0 FROM unnest($4::text[], $5::text[]) AS x(id, v)`,
        [universe, embedder.model, embedder.dimensions, rows.map((r) => r.eventId), resolved.map((v) => `{${Array.from(v).join(',')}}`)],
      );
    });
  }
}

/** Bump when the corpus generator or its vectors change: a cached corpus of another version is re-seeded. */
const CORPUS_VERSION = 2;

/**
 * Where the seeded corpus is kept between runs (seeding 100,000 events and building their HNSW
 * index takes ~10 min here): `BENCH_SEARCH_DATA_DIR`, else under ~/.cache/lightspeed/bench;
 * `memory://` seeds afresh every run.
 */
function corpusDir(count: number, vectors: string): string {
  return process.env.BENCH_SEARCH_DATA_DIR ?? join(process.env.LIGHTSPEED_CACHE ?? join(homedir(), '.cache', 'lightspeed'), 'bench', `search-${vectors}-${count}`);
}

export async function measureSearch(count: number, queries: number, log: (line: string) => void, vectors: 'local' | 'fake' = 'local', dataDir = corpusDir(count, vectors)): Promise<SearchFigures> {
  const marker = dataDir === 'memory://' ? undefined : join(dataDir, 'lightspeed-bench-corpus.json');
  const fingerprint = JSON.stringify({ version: CORPUS_VERSION, schema: LATEST_SCHEMA_VERSION, count, vectors });
  const cached = marker !== undefined && existsSync(marker) && readFileSync(marker, 'utf8') === fingerprint;
  if (marker && !cached) await rm(dataDir, { recursive: true, force: true });
  const storage = await openStorage({ kind: 'pglite', dataDir }, { migrate: true });
  try {
    const universe = 'bench-search';
    const { embedder, vectorsOf } = await corpusVectors(vectors);
    const seedStart = performance.now();
    if (!cached) await seedCorpus(storage, universe, count, embedder, vectorsOf);
    // Idempotent: builds the HNSW index after the vectors on a fresh corpus, finds it on a cached one.
    const mode = await storage.memoryVectors().prepare(embedder.model, embedder.dimensions);
    if (cached) log(`search: ${count} events with ${embedder.model} vectors (${mode}) cached in ${dataDir} (corpus v${CORPUS_VERSION})`);
    else {
      await storage.driver.query('VACUUM (ANALYZE) ls_memory_events, ls_memory_embeddings, ls_memory_entities');
      log(`search: seeded ${count} events with ${embedder.model} vectors (${mode}) in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
      if (marker) writeFileSync(marker, fingerprint);
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const search = new MemorySearch({ stores: (u) => storage.memorySearch(u), embedder });
    const q = random(99);
    const texts = Array.from({ length: queries }, (_, i) => {
      if (i % 10 === 3) return `what happened to #${Math.floor(q() * count)}`;
      if (i % 10 === 7) return `ENG-${Math.floor(q() * count)} status`;
      if (i % 2 === 0) return `${pick(q, COMPONENTS)} ${pick(q, PROBLEMS)} ${pick(q, PLACES)}`;
      return `why does the ${pick(q, COMPONENTS)} ${pick(q, PROBLEMS)} happen`;
    });
    for (const text of texts.slice(0, 20)) await search.search(universe, { query: text });
    const times: number[] = [];
    const stages: Record<string, number[]> = {};
    for (const text of texts) {
      const started = performance.now();
      const result = await search.search(universe, { query: text });
      times.push(performance.now() - started);
      for (const [stage, ms] of Object.entries(result.latencyMs)) (stages[stage] ??= []).push(ms);
      if (result.hits.length === 0) throw new Error(`search: no hits for "${text}"`);
    }
    // Each path alone (PGlite runs one statement at a time, so the hybrid stages above overlap in waiting).
    const alone: string[] = [];
    for (const path of ['lexical', 'vector', 'entity'] as const) {
      const ms: number[] = [];
      for (const text of texts.slice(0, 60)) {
        const started = performance.now();
        await search.search(universe, { query: text, weights: { lexical: 0, vector: 0, entity: 0, [path]: 1 } });
        ms.push(performance.now() - started);
      }
      alone.push(`${path} ${percentile(ms.sort((a, b) => a - b), 50).toFixed(1)}`);
    }
    log(`search: each path alone, median ms: ${alone.join(', ')}`);
    times.sort((a, b) => a - b);
    const medians = Object.entries(stages).map(([stage, ms]) => `${stage} ${percentile(ms.sort((a, b) => a - b), 50).toFixed(1)}`);
    log(`search: ${queries} hybrid queries over ${count} events; stage medians ms: ${medians.join(', ')}`);
    return { p50: percentile(times, 50), p95: percentile(times, 95), vectors: vectors === 'local' ? `${embedder.model}:query+composed${embedder.dimensions}` : embedder.model, seedSeconds };
  } finally {
    await storage.close();
  }
}

/** `BENCH_SEARCH_VECTORS=fake` for the fake embedder; the local model otherwise. */
export function searchVectors(): 'local' | 'fake' {
  const value = process.env.BENCH_SEARCH_VECTORS ?? 'local';
  if (value !== 'local' && value !== 'fake') throw new Error(`BENCH_SEARCH_VECTORS: local or fake, not ${value}`);
  return value;
}

/** Run alone: `node --conditions=lightspeed-src --import tsx packages/memory/bench/search-bench.ts`. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measureSearch(Number(process.env.BENCH_SEARCH_COUNT ?? 100_000), Number(process.env.BENCH_SEARCH_QUERIES ?? 200), console.log, searchVectors());
  console.log(`memory: search_p50_ms_100k=${figures.p50.toFixed(1)} search_p95_ms_100k=${figures.p95.toFixed(1)} search_vectors=${figures.vectors}`);
}
