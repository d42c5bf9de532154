// npm run bench:waits — what sessions parked on a durable wait cost the embedded host (issue 13).
// Last line (parsed by tooling):
// waits: parked=<n> cpu_idle_ms_per_s=<ms> heap_mb_per_1000=<MB> rss_mb_per_1000=<MB> resolve_all_ms=<ms> spawn_to_first_token_ms_p50=<ms>
//
// The real tool runtime (`createToolPortFactory`) and the real provider router over the fake
// provider in another process (its request log must not count as host memory), scripted through
// its echo directive to call `ask_user` (and, for `--timers` of the sessions, a one-day `sleep`).
// - memory: after a warm-up batch that parks and finishes, GC, then N sessions open, start a run
//   and park on their wait; GC again; the heap and RSS growth per 1,000 parked sessions. RSS also
//   holds the store's growth (PGlite's WASM memory never shrinks), heap is the host's own cost.
// - idle CPU: process CPU time (user + system) over an idle window while they are parked, per
//   second of wall time, with the timers and other handles the process holds meanwhile.
// - resolve all: every question answered and every timer cancelled, as `session/waits/resolve`
//   and `cancel` submit them (`promise.resolve`), all at once; the time until every run completed.
// Options (flag or env): --sessions N (BENCH_WAIT_SESSIONS, 1000), --timers N of them sleep
// (BENCH_WAIT_TIMERS, 0), --idle-s S (BENCH_WAIT_IDLE_S, 10), --store pglite|memory
// (BENCH_WAIT_STORE, pglite), --max-cached N (BENCH_WAIT_MAX_CACHED, the host's default),
// --recent-blob-mib N (BENCH_WAIT_RECENT_BLOB_MIB, the host's 32): its blob cache, bounded, is
// most of what the heap figure holds once parked sessions are dropped; 0 measures without it.
// - spawn to first token: after the waits, --spawns parents (BENCH_WAIT_SPAWNS, 20) one after
//   the other each run `spawn_agent` (from an agent definition); the time from the tool call's
//   start to the child's first streamed token (its session opened, its run admitted and planned,
//   its generation's first delta on the live channel), median and p90.
// BENCH_HEAP_SNAPSHOT=<prefix> writes heap snapshots before and after parking, to diff.
import { createHook } from 'node:async_hooks';
import { availableParallelism, loadavg } from 'node:os';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { putText } from '@lightspeed/cas';
import { liveKey } from '@lightspeed/driver';
import type { PromiseState, SessionState, ToolInvocation } from '@lightspeed/engine';
import type { ToolPort } from '@lightspeed/ports';
import { childSessionIdOf, createToolPortFactory } from '@lightspeed/tools';
import { startFakeProcess } from '../test/fixtures/crash-processes.js';
import { benchStores, median, ObservedLlm, openSession, startHost, startRun, UNIVERSE, waitRun, waitState, type StoreKind } from './bench-rig.js';

const { values: flags } = parseArgs({
  options: {
    sessions: { type: 'string', default: process.env.BENCH_WAIT_SESSIONS ?? '1000' },
    timers: { type: 'string', default: process.env.BENCH_WAIT_TIMERS ?? '0' },
    'idle-s': { type: 'string', default: process.env.BENCH_WAIT_IDLE_S ?? '10' },
    store: { type: 'string', default: process.env.BENCH_WAIT_STORE ?? 'pglite' },
    'max-cached': { type: 'string', default: process.env.BENCH_WAIT_MAX_CACHED },
    'recent-blob-mib': { type: 'string', default: process.env.BENCH_WAIT_RECENT_BLOB_MIB },
    spawns: { type: 'string', default: process.env.BENCH_WAIT_SPAWNS ?? '20' },
  },
});
const count = (name: string, text: string | undefined, min: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer ≥ ${min}, got ${text}`);
  return n;
};
const SESSIONS = count('sessions', flags.sessions, 1);
const TIMERS = count('timers', flags.timers, 0);
const IDLE_S = count('idle-s', flags['idle-s'], 1);
const MAX_CACHED = flags['max-cached'] === undefined ? undefined : count('max-cached', flags['max-cached'], 1);
const RECENT_BLOB_MIB = flags['recent-blob-mib'] === undefined ? undefined : count('recent-blob-mib', flags['recent-blob-mib'], 0);
const SPAWNS = count('spawns', flags.spawns, 1);
if (TIMERS > SESSIONS) throw new Error(`--timers ${TIMERS}: at most --sessions (${SESSIONS})`);
if (flags.store !== 'pglite' && flags.store !== 'memory') throw new Error(`--store: expected pglite or memory, got ${flags.store}`);
const STORE: StoreKind = flags.store;
const WARMUP = 50;
/** Past the host's default `parkedReleaseMs` (5 s) and undici's keep-alive timeout (4 s). */
const SETTLE_MS = 6_000;
const FEATURES = { askUser: {}, timers: {} };

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:waits passes it)');

/** Heap and RSS after full collections (a few: weak references and finalizers free in rounds). */
async function settledMemory(): Promise<{ heap: number; rss: number; external: number }> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await sleep(50);
  }
  const { heapUsed, rss, external } = process.memoryUsage();
  return { heap: heapUsed, rss, external };
}

const mb = (bytes: number) => bytes / 2 ** 20;
const pendingWait = (state: SessionState): PromiseState | undefined => Object.values(state.promises).find((p) => p.status === 'pending');

/** What the process holds that can wake it: timers, sockets, handles (by kind). */
function activeResources(): string {
  const kinds = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  return [...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ');
}

console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const fake = await startFakeProcess([]);
const { stores, close } = await benchStores(STORE);
// Sub-agents start from one agent definition: the fake echo model, no tools.
const HELPER = { config: { model: { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' } } };
const runtime = createToolPortFactory({ agentsOf: () => ({ resolve: async (id) => (id === 'helper' ? HELPER : undefined) }) });
const llm = new ObservedLlm(fake.url);
/** Told when a `spawn_agent` call starts (the spawn-to-first-token clock). */
let onSpawn: ((call: ToolInvocation) => void) | undefined;
const tools = (context: Parameters<typeof runtime.factory>[0]): ToolPort => {
  const port = runtime.factory(context);
  return {
    resolve: (input) => port.resolve(input),
    invoke: (call, ctx) => {
      if (call.name === 'spawn_agent') onSpawn?.(call);
      return port.invoke(call, ctx);
    },
    ...(port.sessionContext ? { sessionContext: (sessionId: string) => port.sessionContext!(sessionId) } : {}),
  };
};
const host = await startHost(stores, llm, {
  tools,
  ...(MAX_CACHED !== undefined ? { maxCachedSessions: MAX_CACHED } : {}),
  ...(RECENT_BLOB_MIB !== undefined ? { recentBlobBytes: RECENT_BLOB_MIB * 2 ** 20 } : {}),
});

interface Parked {
  sessionId: string;
  runId: string;
  wait: PromiseState;
}

/** Opens sessions, starts one run each, and returns once every run waits on its promise. */
async function park(prefix: string, n: number, timers: number): Promise<Parked[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i): Promise<Parked> => {
      const sessionId = `${prefix}${i}`;
      await openSession(host, sessionId, FEATURES);
      const directive = i < timers ? `use sleep {"seconds":86400,"reason":"bench ${i}"}` : `use ask_user {"question":"May session ${i} go on?"}`;
      const runId = await startRun(host, sessionId, directive);
      const wait = await waitState(host, sessionId, pendingWait);
      const expected = i < timers ? 'timer' : 'question';
      if (wait.wait?.kind !== expected) throw new Error(`${sessionId} waits on ${wait.wait?.kind}, expected ${expected}`);
      return { sessionId, runId, wait };
    }),
  );
}

/** Answers every question and cancels every timer at once; resolves when every run completed. */
async function resolveAll(parked: Parked[]): Promise<void> {
  const blobs = host.blobs(UNIVERSE);
  await Promise.all(
    parked.map(async ({ sessionId, runId, wait }) => {
      const ref = { universe: UNIVERSE, sessionId };
      const command =
        wait.wait?.kind === 'timer'
          ? ({ type: 'promise.resolve', promiseId: wait.promiseId, outcome: 'cancelled' } as const)
          : ({ type: 'promise.resolve', promiseId: wait.promiseId, payloadRef: await putText(blobs, `yes, ${sessionId}`) } as const);
      const outcome = await host.submit(ref, command);
      if (!outcome.ok) throw new Error(`promise.resolve ${sessionId}: ${outcome.rejection.message}`);
      const status = await waitRun(host, sessionId, runId);
      if (status !== 'completed') throw new Error(`${sessionId}: run ended ${status}`);
    }),
  );
}

/**
 * Parents that each spawn one sub-agent, one after the other: the time from the `spawn_agent`
 * call's start to the first token the child streams (subscribed under the child's id, which the
 * call determines). Each parent's run and the child's report are awaited before the next.
 */
async function spawnToFirstToken(n: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const parentId = `lead${i}`;
    const firstToken = new Promise<number>((resolve) => {
      onSpawn = (call) => {
        const started = performance.now();
        const unsubscribe = host.live.subscribe(liveKey({ universe: UNIVERSE, sessionId: childSessionIdOf(call) }), (message) => {
          if (message.delta.type !== 'text') return;
          unsubscribe();
          resolve(performance.now() - started);
        });
      };
    });
    await openSession(host, parentId, { fleet: {} });
    const runId = await startRun(host, parentId, 'use spawn_agent {"agent":"helper","task":"say hello"}');
    latencies.push(await firstToken);
    if ((await waitRun(host, parentId, runId)) !== 'completed') throw new Error(`${parentId}: run did not complete`);
    await waitState(host, parentId, (s) => (Object.values(s.children ?? {}).every((c) => c.status !== 'running') && s.children ? true : undefined));
  }
  onSpawn = undefined;
  return latencies;
}

try {
  // Warm-up: code paths compiled, pools and caches started, so the baseline holds them.
  await resolveAll(await park('warm', WARMUP, Math.min(TIMERS, WARMUP / 2)));
  const before = await settledMemory();
  const snapshot = process.env.BENCH_HEAP_SNAPSHOT;
  if (snapshot) writeHeapSnapshot(`${snapshot}-before.heapsnapshot`);
  const cachedBefore = host.cachedSessions;

  const parkStarted = performance.now();
  const parked = await park('w', SESSIONS, TIMERS);
  const parkMs = performance.now() - parkStarted;
  // The host drops sessions parked on a question once nobody looked them up for a grace period
  // (`parkedReleaseMs`); timer sessions stay (their timer is armed). Measured once that settled.
  console.log(`  ${STORE}: ${SESSIONS} sessions parked (${SESSIONS - TIMERS} on ask_user, ${TIMERS} on a 1-day sleep) in ${Math.round(parkMs)} ms`);
  const held = host.cachedSessions - cachedBefore;
  const releaseStarted = performance.now();
  // At least SETTLE_MS: the parking burst's keep-alive sockets close and its garbage is collected.
  while ((host.cachedSessions > cachedBefore + TIMERS || performance.now() - releaseStarted < SETTLE_MS) && performance.now() - releaseStarted < 20_000) await sleep(250);
  console.log(`  ${held} parked sessions in memory right after parking, ${host.cachedSessions - cachedBefore} after ${((performance.now() - releaseStarted) / 1000).toFixed(1)} s`);
  const after = await settledMemory();
  if (snapshot) writeHeapSnapshot(`${snapshot}-parked.heapsnapshot`);
  const per1000 = 1000 / SESSIONS;
  const heapPer1000 = mb(after.heap - before.heap) * per1000;
  const rssPer1000 = mb(after.rss - before.rss) * per1000;
  console.log(
    `  memory growth: heap ${mb(after.heap - before.heap).toFixed(2)} MB, rss ${mb(after.rss - before.rss).toFixed(2)} MB, external ${mb(after.external - before.external).toFixed(2)} MB` +
      ` (${((after.heap - before.heap) / SESSIONS / 1024).toFixed(2)} KiB heap per parked session)`,
  );

  const handles = activeResources();
  // The forced collections' background sweeping is not the parked sessions' cost.
  await sleep(1000);
  // Every async operation started in the window (timers, I/O, promises): the bench's own sleep
  // (a Timeout, its promises) and nothing else means nothing of the host ran while they waited.
  const started = new Map<string, number>();
  const hook = createHook({ init: (_id, type) => void started.set(type, (started.get(type) ?? 0) + 1) });
  // Collections V8 starts by itself in the window (its memory reducer, after the burst): GC, not host work.
  const collections: number[] = [];
  const gcObserver = new PerformanceObserver((list) => list.getEntries().forEach((entry) => collections.push(entry.duration)));
  gcObserver.observe({ entryTypes: ['gc'] });
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const idleStarted = performance.now();
  hook.enable();
  await sleep(IDLE_S * 1000);
  hook.disable();
  const used = process.cpuUsage(cpu);
  const busyMs = performance.eventLoopUtilization(loop).active;
  gcObserver.disconnect();
  const idleWall = (performance.now() - idleStarted) / 1000;
  const cpuIdleMsPerS = (used.user + used.system) / 1000 / idleWall;
  console.log(`  idle ${idleWall.toFixed(1)} s: CPU ${((used.user + used.system) / 1000).toFixed(1)} ms (user ${(used.user / 1000).toFixed(1)}, system ${(used.system / 1000).toFixed(1)}, all threads: V8's background GC included); active resources: ${handles}`);
  console.log(`  main thread busy ${busyMs.toFixed(1)} ms; ${collections.length} collections by V8 itself, ${collections.reduce((a, b) => a + b, 0).toFixed(1)} ms`);
  console.log(`  async operations started while idle: ${[...started].map(([type, n]) => `${type} ${n}`).join(', ') || 'none'} (the bench's own sleep is a Timeout and its promises)`);

  const generationsBefore = llm.completed;
  const resolveStarted = performance.now();
  await resolveAll(parked);
  const resolveMs = performance.now() - resolveStarted;
  const finished = await settledMemory();
  console.log(`  resolved all ${SESSIONS} waits and finished the runs in ${Math.round(resolveMs)} ms (${Math.round(SESSIONS / (resolveMs / 1000))} runs/s, ${llm.completed - generationsBefore} generations); heap after: ${mb(finished.heap - before.heap).toFixed(2)} MB over the baseline`);
  const spawnLatencies = await spawnToFirstToken(SPAWNS);
  const sorted = [...spawnLatencies].sort((a, b) => a - b);
  const p50 = median(sorted);
  console.log(`  ${SPAWNS} sub-agents spawned one after the other: spawn to first token p50 ${p50.toFixed(1)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`);
  console.log(`machine: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`waits: parked=${SESSIONS} cpu_idle_ms_per_s=${cpuIdleMsPerS.toFixed(3)} heap_mb_per_1000=${heapPer1000.toFixed(2)} rss_mb_per_1000=${rssPer1000.toFixed(2)} resolve_all_ms=${Math.round(resolveMs)} spawn_to_first_token_ms_p50=${p50.toFixed(1)}`);
} finally {
  await host.close();
  await runtime.close();
  await close();
  await fake.stop();
}
