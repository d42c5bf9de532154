// The queue half of bench:tasks (tasks.bench.ts): claim throughput of our SQL task queue against
// pg-boss on the same PostgreSQL in the same run, and fairness across concurrency keys.
//
// - claim_per_s_*: claim + complete with a no-op handler, one task per claim, WORKERS claim loops
//   at once (on PGlite they queue on its one session). Tasks are preloaded; only the loop is timed.
// - pgboss_claim_per_s_postgres: the same loop with pg-boss (fetch batchSize 1 + complete) on the same
//   PostgreSQL server in the same run, its maintenance and scheduling off so only the loop is measured.
//   Both queues' tables are ANALYZEd after preloading, before the timed loop.
// - fairness_ratio: 10,000 tasks queued on one concurrency key, then 1 on another; claims one at a
//   time until the newcomer is claimed. Ratio = claims it waited ÷ its fair share (1 in 2 with two
//   keys busy). ≤ 1 means it was served within its fair share; the goal is ≤ 2.
// PostgreSQL runs with fsync on and synchronous_commit off (as bench:store reports): real WAL I/O
// without measuring this shared VM's fsync latency.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { startPostgres } from '@lightspeed/testkit';
import { openStorage, type Storage } from '@lightspeed/store-sql';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BACKLOG = 10_000;
const ENQUEUE_CONCURRENCY = 8;
// A side figure: claims of BATCH tasks (pg-boss's favoured mode: fetch a batch, complete it in one call).
const BATCH = 10;
// Both queues start their PostgreSQL loops with this many queued: claim cost may depend on depth.
const POSTGRES_PRELOAD = 30_000;

async function enqueueMany(storage: Storage, universe: string, count: number, concurrencyKey?: string): Promise<number> {
  const queue = storage.tasks(universe);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: ENQUEUE_CONCURRENCY }, async () => {
      while (next < count) {
        next++;
        await queue.enqueue({ kind: 'bench.noop', agent: 'bench', payload: { n: next }, ...(concurrencyKey ? { concurrencyKey } : {}) });
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** WORKERS loops of claim → no-op → succeed, for `ms` or until the queue is empty. */
async function claimThroughput(storage: Storage, universe: string, ms: number, batch = 1): Promise<number> {
  const queue = storage.tasks(universe);
  let done = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      while (performance.now() < deadline) {
        const claims = await queue.claim({ dispatcher: `bench-${w}`, limit: batch });
        if (claims.length === 0) return;
        for (const claim of claims) await queue.succeed(claim.lease);
        done += claims.length;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function ours(storage: Storage, label: string): Promise<number> {
  const universe = `bench-${label}-${Date.now()}`;
  const preload = label === 'pglite' ? 6_000 : POSTGRES_PRELOAD;
  const enqueueRate = await enqueueMany(storage, universe, preload);
  await storage.driver.query('ANALYZE');
  await claimThroughput(storage, universe, 300); // warm-up
  const rate = await claimThroughput(storage, universe, SECONDS * 1000);
  console.log(`${label}: ${rate.toFixed(0)} claim+complete/s (${WORKERS} loops, 1 task per claim); ${enqueueRate.toFixed(0)} enqueues/s while preloading ${preload}`);
  if (label === 'postgres') {
    const batched = await claimThroughput(storage, universe, SECONDS * 1000, BATCH);
    console.log(`${label}: ${batched.toFixed(0)} claim+complete/s claiming ${BATCH} at a time (each settled on its own)`);
  }
  return rate;
}

/**
 * Fresh statistics before timing, for both queues alike: a planner without them may pick a poor
 * plan for a table that just grew by thousands of rows, and the peer must not be measured crippled.
 */
async function analyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

async function pgBoss(url: string): Promise<number> {
  const boss = new PgBoss({ connectionString: url, max: WORKERS * 2, supervise: false, schedule: false });
  let stopped = false;
  // Once stopped, its pool's idle connections are cut by the server shutdown: not an error of the run.
  boss.on('error', (error) => {
    if (!stopped) console.error(`pg-boss: ${error.message}`);
  });
  await boss.start();
  const name = 'bench-noop';
  await boss.createQueue(name);
  const preload = POSTGRES_PRELOAD;
  for (let i = 0; i < preload; i += 1_000) await boss.insert(Array.from({ length: 1_000 }, (_, j) => ({ name, data: { n: i + j } })));
  await analyze(url);
  const loop = async (ms: number, batchSize = 1) => {
    let done = 0;
    const deadline = performance.now() + ms;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (performance.now() < deadline) {
          const jobs = await boss.fetch<{ n: number }>(name, { batchSize });
          if (jobs.length === 0) return;
          await boss.complete(name, jobs.map((job) => job.id));
          done += jobs.length;
        }
      }),
    );
    return done / ((performance.now() - started) / 1000);
  };
  await loop(300);
  const rate = await loop(SECONDS * 1000);
  console.log(`pg-boss (same server): ${rate.toFixed(0)} fetch+complete/s (${WORKERS} loops, batchSize 1)`);
  const batched = await loop(SECONDS * 1000, BATCH);
  console.log(`pg-boss (same server): ${batched.toFixed(0)} fetch+complete/s with batchSize ${BATCH} (one complete per batch)`);
  stopped = true;
  await boss.stop({ graceful: false, wait: true });
  return rate;
}

async function fairness(storage: Storage): Promise<number> {
  const universe = `bench-fair-${Date.now()}`;
  const queue = storage.tasks(universe);
  await enqueueMany(storage, universe, BACKLOG, 'big');
  const { task: small } = await queue.enqueue({ kind: 'bench.noop', agent: 'bench', concurrencyKey: 'small' });
  let waited = 0;
  for (;;) {
    const [claim] = await queue.claim({ dispatcher: 'bench-fair' });
    if (!claim) throw new Error('the queue ran dry before the newcomer was claimed');
    waited++;
    await queue.succeed(claim.lease);
    if (claim.task.id === small.id) break;
  }
  const fairShare = 2;
  console.log(`fairness: the 1-task key was claimed ${waited === 1 ? 'first' : `after ${waited - 1} claim(s)`} behind a ${BACKLOG}-task key (fair share: 1 claim in ${fairShare})`);
  return waited / fairShare;
}

export interface QueueFigures {
  claimPerSecPglite: number;
  claimPerSecPostgres: number;
  pgbossClaimPerSecPostgres: number;
  fairnessRatio: number;
}

export async function queueFigures(): Promise<QueueFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'lightspeed-bench-tasks-'));
  let pgliteRate: number;
  try {
    const pglite = await openStorage({ kind: 'pglite', dataDir: join(dir, 'pglite') });
    pgliteRate = await ours(pglite, 'pglite');
    await pglite.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const server = await startPostgres({ durable: true, settings: { synchronous_commit: 'off' } });
  let postgresRate: number;
  let bossRate: number;
  let ratio: number;
  try {
    const postgres = await openStorage({ kind: 'postgres', url: server.url, maxConnections: WORKERS * 2 }, { migrate: true });
    postgresRate = await ours(postgres, 'postgres');
    ratio = await fairness(postgres);
    await postgres.close();
    bossRate = await pgBoss(server.url);
  } finally {
    await server.stop();
  }
  console.log(`ours / pg-boss on the same PostgreSQL: ${(postgresRate / bossRate).toFixed(2)}x`);
  return { claimPerSecPglite: pgliteRate, claimPerSecPostgres: postgresRate, pgbossClaimPerSecPostgres: bossRate, fairnessRatio: ratio };
}
