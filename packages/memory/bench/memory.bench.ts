/*
 * bench:memory — ingest throughput of the memory pipeline on embedded PGlite and on a real
 * PostgreSQL server (started from the local binaries, like the tests). Prints, last,
 *   memory: ingest_per_s_pglite=… ingest_per_s_postgres=… search_p50_ms_100k=… search_p95_ms_100k=… search_vectors=… recall_at_10=…
 * (recall_at_10: hybrid search over the labelled query set with the local model, bench/recall-at-10.ts).
 *
 * What one ingest is: `MemoryIngress.handle` of a signed GitHub delivery — source resolved,
 * secret opened (AES-GCM), signature verified, body parsed, canonical transform, significance,
 * raw delivery to CAS, event recorded once per source key with the entities, edges, aliases and
 * joined edges it asserts in the same transaction (the full pipeline of the issue's goal: ≥ 500/s
 * PGlite, ≥ 2,000/s PostgreSQL). The bodies are the `@octokit/webhooks-examples` payloads, each
 * made distinct by its object's `updated_at`/ids; 64 deliveries in flight (BENCH_MEMORY_IN_FLIGHT); 10% are repeats that
 * must come back 200 deduped. The figures depend on the machine's load (docs/0022-memory.md), so
 * the CPU each delivery cost in node and in the PostgreSQL server is printed too.
 * The search figures (search-bench.ts, docs/0025-memory-search.md): hybrid search over 100,000
 * events on PGlite, the query's embedding included; `search_vectors` names the embedder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Clock } from '@lightspeed/ports';
import { openStorage, type Storage, type StorageBackend } from '@lightspeed/store-sql';
import { startPostgres } from '@lightspeed/testkit';
import { createMemory, SecretBox, signDelivery, type BodyRead } from '../src/index.js';
import { recallAt10 } from './recall-at-10.js';
import { measureSearch, searchVectors } from './search-bench.js';

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: unknown[] }[];
const examples = definitions.flatMap((d) => d.examples.map((example) => ({ name: d.name, example: example as Record<string, unknown> })));
const COUNT = Number(process.env.BENCH_MEMORY_COUNT ?? 4_000);
// A webhook burst (an org's CI, a backfill) is many concurrent requests; group commit shares a
// transaction among the deliveries in flight, so the figure depends on how many (16 until 4 December).
const IN_FLIGHT = Number(process.env.BENCH_MEMORY_IN_FLIGHT ?? 64);
if (!Number.isSafeInteger(IN_FLIGHT) || IN_FLIGHT < 1) throw new Error('BENCH_MEMORY_IN_FLIGHT: a positive integer');

class BenchClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** The i-th delivery: an example whose timestamps and ids are shifted so its source key is new. */
function variant(i: number): { name: string; body: Uint8Array } {
  const { name, example } = examples[i % examples.length]!;
  const stamp = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  const text = JSON.stringify(example)
    .replace(/"updated_at":"[^"]*"/g, `"updated_at":"${stamp}"`)
    .replace(/"after":"[0-9a-f]{40}"/g, `"after":"${i.toString(16).padStart(40, '0')}"`)
    .replace(/"id":(\d+)/g, (_, id: string) => `"id":${Number(id) + i * 1_000_003}`);
  return { name, body: new TextEncoder().encode(text) };
}

/**
 * CPU seconds used so far by the PostgreSQL server listening on `port` (postmaster and backends,
 * from /proc), so the bench can say where time goes even when other work shares the cores.
 */
function postgresCpuSeconds(port: number | undefined): number {
  if (port === undefined) return 0;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  let postmaster: number | undefined;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
      if (postmaster === undefined && readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').includes(` -p ${port} `)) postmaster = Number(name);
    } catch {
      // The process ended while we read it.
    }
  }
  let ticks = 0;
  for (const [pid, stat] of stats) if (pid === postmaster || stat.ppid === postmaster) ticks += stat.ticks;
  return ticks / 100;
}

async function run(storage: Storage, label: string, port?: number): Promise<number> {
  const box = SecretBox.fromKey(new Uint8Array(32).fill(5));
  const memory = createMemory(storage, { box, clock: new BenchClock(), ratePerSecond: 1_000_000 });
  const universe = `bench-${label}`;
  await memory.sources.put(universe, { sourceId: 'gh', provider: 'github', secret: 'bench-secret' });
  const source = await memory.sources.read(universe, 'gh');
  const deliveries = await Promise.all(
    Array.from({ length: COUNT }, async (_, i) => {
      const { name, body } = variant(i);
      return { body, headers: await signDelivery('github', 'bench-secret', body, { eventType: name, deliveryId: `d-${i}` }) };
    }),
  );
  const repeats = deliveries.filter((_, i) => i % 10 === 0);
  const work = [...deliveries, ...repeats];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  const nodeCpu = process.cpuUsage();
  const serverCpu = postgresCpuSeconds(port);
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < work.length) {
        const { body, headers } = work[next++]!;
        const answer = await memory.ingress.handle({ provider: 'github', webhookId: source.webhookId, headers, readBody: async (): Promise<BodyRead> => ({ ok: true, bytes: body }) });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(nodeCpu);
  const nodeMs = (used.user + used.system) / 1000 / work.length;
  const serverMs = ((postgresCpuSeconds(port) - serverCpu) * 1000) / work.length;
  const perSecond = Math.round(work.length / seconds);
  console.log(`${label}: ${work.length} deliveries in ${seconds.toFixed(2)} s = ${perSecond}/s; answers ${JSON.stringify(Object.fromEntries(statuses))}`);
  // CPU per delivery: with both cores free, throughput is at most 2 cores / (node + server) per delivery.
  console.log(`${label}: cpu ms per delivery node=${nodeMs.toFixed(3)}${port === undefined ? '' : ` postgres=${serverMs.toFixed(3)}`}`);
  if ((statuses.get(200) ?? 0) < repeats.length) throw new Error(`${label}: fewer deduped answers (${statuses.get(200) ?? 0}) than repeats (${repeats.length})`);
  return perSecond;
}

async function measure(backend: StorageBackend, label: string, port?: number): Promise<number> {
  const storage = await openStorage(backend, { migrate: true });
  try {
    return await run(storage, label, port);
  } finally {
    await storage.close();
  }
}

async function main(): Promise<void> {
  const pglite = await measure({ kind: 'pglite', dataDir: 'memory://' }, 'pglite');
  const search = await measureSearch(Number(process.env.BENCH_SEARCH_COUNT ?? 100_000), Number(process.env.BENCH_SEARCH_QUERIES ?? 200), console.log, searchVectors());
  const server = await startPostgres();
  try {
    const postgres = await measure({ kind: 'postgres', url: server.url, maxConnections: 16 }, 'postgres', server.port);
    const recall = await recallAt10();
    console.log(`recall@10 per path: ${Object.entries(recall.perPath).map(([path, value]) => `${path} ${value.toFixed(3)}`).join(', ')}; local model indexed ${recall.embedPerSecond} events/s`);
    const searchFigures = `search_p50_ms_100k=${search.p50.toFixed(1)} search_p95_ms_100k=${search.p95.toFixed(1)} search_vectors=${search.vectors}`;
    console.log(`memory: ingest_per_s_pglite=${pglite} ingest_per_s_postgres=${postgres} ${searchFigures} recall_at_10=${recall.hybrid.toFixed(3)}`);
  } finally {
    await server.stop();
  }
}

await main();
