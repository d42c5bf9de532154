// npm run bench:store — storage throughput on this machine. Last line (parsed by tooling):
// store: pglite_append_events_per_s=<n> postgres_append_events_per_s=<n> postgres_cas_put_per_s=<n>
//
// PGlite runs on an on-disk data dir. PostgreSQL is started by the testkit three times:
// - test cluster (fsync off): the store's own cost — round trips, statements, hashing;
// - fully durable (PostgreSQL defaults): every commit waits for an fsync, so on this shared VM the
//   figures follow the disk's fsync latency (1-6 ms depending on what else runs);
// - asynchronous commit (fsync and full-page writes on, synchronous_commit off): WAL reaches disk
//   within ~200 ms and a crash never corrupts, but commits do not wait for the flush. The last
//   line reports this configuration: real WAL I/O without measuring fsync latency noise.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPostgres, type StartPostgresOptions } from '@lightspeed/testkit';
import { openStorage, type Storage } from '../src/index.js';

const EVENTS_PER_APPEND = 10;
const CONCURRENT_SESSIONS = 4;
const BLOB_BYTES = 2 * 1024;
const PUT_CONCURRENCY = 16;

function eventBatch(head: number, at: number) {
  return Array.from({ length: EVENTS_PER_APPEND }, (_, i) => ({
    seq: head + i + 1,
    at: at + i,
    kind: 'run.turn.finished',
    version: 1,
    data: { runId: 'run-1', turn: head + i, outputRef: `sha256:${'ab'.repeat(32)}`, usage: { input: 1200, output: 300 }, preview: 'a bounded preview of the model output' },
  }));
}

/** `CONCURRENT_SESSIONS` sessions, each appending 10-event batches back to back for `ms`. */
async function appendThroughput(storage: Storage, ms: number): Promise<number> {
  const sessions = storage.sessions(`bench-${Date.now()}`);
  let events = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT_SESSIONS }, async (_, s) => {
      let head = 0;
      while (performance.now() < deadline) {
        head = (await sessions.append(`session-${s}`, head, eventBatch(head, Date.now()), { status: 'active' })).head;
        events += EVENTS_PER_APPEND;
      }
    }),
  );
  return events / ((performance.now() - started) / 1000);
}

async function casPutThroughput(storage: Storage, ms: number): Promise<number> {
  const blobs = storage.blobs(`bench-cas-${Date.now()}`);
  let puts = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PUT_CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await blobs.put(randomBytes(BLOB_BYTES));
        puts++;
      }
    }),
  );
  return puts / ((performance.now() - started) / 1000);
}

async function postgresFigures(options: StartPostgresOptions, seconds: number): Promise<{ append: number; put: number }> {
  const server = await startPostgres(options);
  try {
    const postgres = await openStorage({ kind: 'postgres', url: server.url, maxConnections: PUT_CONCURRENCY }, { migrate: true });
    await appendThroughput(postgres, 500);
    const append = await appendThroughput(postgres, seconds * 1000);
    await casPutThroughput(postgres, 500);
    const put = await casPutThroughput(postgres, seconds * 1000);
    await postgres.close();
    return { append, put };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 4);
  const dir = await mkdtemp(join(tmpdir(), 'lightspeed-bench-pglite-'));
  const pglite = await openStorage({ kind: 'pglite', dataDir: join(dir, 'pglite') });
  await appendThroughput(pglite, 500); // warm-up
  const pgliteAppend = await appendThroughput(pglite, seconds * 1000);
  await pglite.close();
  await rm(dir, { recursive: true, force: true });
  console.log(`pglite (on-disk data dir): ${pgliteAppend.toFixed(0)} events/s appended (${EVENTS_PER_APPEND} per transaction, ${CONCURRENT_SESSIONS} sessions)`);

  const report = (label: string, figures: { append: number; put: number }) =>
    console.log(`postgres (${label}): ${figures.append.toFixed(0)} events/s appended, ${figures.put.toFixed(0)} CAS puts/s of ${BLOB_BYTES} B (${PUT_CONCURRENCY} concurrent)`);
  report('testkit test cluster: fsync off', await postgresFigures({}, seconds));
  report('durable: fsync on, synchronous_commit on', await postgresFigures({ durable: true }, seconds));
  const asyncCommit = await postgresFigures({ durable: true, settings: { synchronous_commit: 'off' } }, seconds);
  report('asynchronous commit: fsync on, synchronous_commit off', asyncCommit);
  const postgresAppend = asyncCommit.append;
  const postgresPut = asyncCommit.put;
  console.log(`store: pglite_append_events_per_s=${Math.round(pgliteAppend)} postgres_append_events_per_s=${Math.round(postgresAppend)} postgres_cas_put_per_s=${Math.round(postgresPut)}`);
}

await main();
