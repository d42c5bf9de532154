// npm run bench:store — storage throughput on this machine. Last line (parsed by tooling):
// store: pglite_append_events_per_s=<n> postgres_append_events_per_s=<n> postgres_cas_put_per_s=<n>
//
// PGlite runs on an on-disk data dir. PostgreSQL is started by the testkit twice: with the
// test-cluster settings (fsync off: the store's own cost — round trips, statements, hashing) and
// fully durable (PostgreSQL defaults: fsync + synchronous commit, bound by this VM's ~1-2 ms
// fsync). The last line reports the durable figures.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPostgres } from '@lightspeed/testkit';
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

async function postgresFigures(durable: boolean, seconds: number): Promise<{ append: number; put: number }> {
  const server = await startPostgres({ durable });
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

  const test = await postgresFigures(false, seconds);
  console.log(`postgres (testkit test cluster: fsync off): ${test.append.toFixed(0)} events/s appended, ${test.put.toFixed(0)} CAS puts/s of ${BLOB_BYTES} B (${PUT_CONCURRENCY} concurrent)`);
  const durable = await postgresFigures(true, seconds);
  console.log(`postgres (durable: fsync on, synchronous_commit on): ${durable.append.toFixed(0)} events/s appended, ${durable.put.toFixed(0)} CAS puts/s of ${BLOB_BYTES} B (${PUT_CONCURRENCY} concurrent)`);
  const postgresAppend = durable.append;
  const postgresPut = durable.put;
  console.log(`store: pglite_append_events_per_s=${Math.round(pgliteAppend)} postgres_append_events_per_s=${Math.round(postgresAppend)} postgres_cas_put_per_s=${Math.round(postgresPut)}`);
}

await main();
