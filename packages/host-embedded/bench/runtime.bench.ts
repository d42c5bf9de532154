// npm run bench:runtime — the embedded host against the fake provider. Last line (parsed by tooling):
// runtime: step_gap_ms_p50=<ms> step_gap_growth_ms_per_100=<ms> concurrent_sessions=<n> turns_per_s=<n>
//
// - step gap: one run of 300 turns, each one tool call (0 ms provider latency, fake in-process so
//   arrival times share the host's clock): from the adapter handing a generation's facts back to the
//   driver to the next provider request arriving at the fake (its HTTP server has the headers);
//   median, and the least-squares slope of the gap over the step index (ms per 100 steps: does a
//   step get slower as the conversation grows?). Three such runs: all gaps' median, median slope.
// - concurrent sessions: N sessions each start a run against a fake in another process that answers
//   after 1 s (first-token delay); the figure is the most generations in flight at once, i.e.
//   sessions holding an active run at the provider simultaneously.
// - turns/s: many sessions running tool-call runs back to back at 0 ms latency (fake in another
//   process); completed generations per second across all of them; median of three.
// The last line is the embedded default store (PGlite on disk); the line before it is the memory
// store, for reference.
import diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { startFakeProvider } from '@lightspeed/fake-provider';
import { startFakeProcess, type FakeProcess } from '../test/fixtures/crash-processes.js';
import { benchStores, median, ObservedLlm, openSession, slope, startHost, startRun, STEP_TOOL, waitRun, type StoreKind } from './bench-rig.js';

const STEPS = Number(process.env.BENCH_STEPS ?? 300);
const GAP_REPEATS = Number(process.env.BENCH_GAP_REPEATS ?? 3);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 1200);
const THROUGHPUT_SESSIONS = Number(process.env.BENCH_THROUGHPUT_SESSIONS ?? 100);
const RUNS_PER_SESSION = Number(process.env.BENCH_RUNS_PER_SESSION ?? 5);
const THROUGHPUT_REPEATS = Number(process.env.BENCH_THROUGHPUT_REPEATS ?? 3);

/** CPU time (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

interface Figures {
  gapP50: number;
  growthPer100: number;
  concurrent: number;
  turnsPerS: number;
}

/** Runs of `steps` tool-call turns, one session each; returns each run's per-step gaps in ms. */
async function stepGaps(kind: StoreKind, steps: number, repeats: number): Promise<number[][]> {
  const fake = await startFakeProvider({ port: 0, latencyMs: 0 });
  const arrivals: number[] = [];
  // Arrival = the fake's HTTP server has the request's headers (before it reads and parses the body).
  const onRequest = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    if (request.method === 'POST' && request.url?.endsWith('/responses')) arrivals.push(performance.now());
  };
  diagnostics.subscribe('http.server.request.start', onRequest);
  const { stores, close } = await benchStores(kind);
  const llm = new ObservedLlm(fake.url);
  const host = await startHost(stores, llm);
  try {
    const run = async (sessionId: string, n: number) => {
      await openSession(host, sessionId);
      fake.enqueue(...Array.from({ length: n }, (_, i) => ({ toolCalls: [{ name: STEP_TOOL, arguments: { step: i } }] })), { text: 'done' });
      const from = llm.returnedAt.length;
      const arrivedFrom = arrivals.length;
      const cpu = process.cpuUsage();
      const status = await waitRun(host, sessionId, await startRun(host, sessionId, `run ${n} steps`));
      if (status !== 'completed') throw new Error(`step run ended ${status}`);
      const used = process.cpuUsage(cpu);
      const returned = llm.returnedAt.slice(from);
      const arrived = arrivals.slice(arrivedFrom);
      const gaps = returned.slice(0, n).map((at, k) => arrived[k + 1]! - at);
      if (sessionId !== 'warmup') {
        // The gap along the run (median of each tenth), to see where growth comes from.
        const tenth = Math.max(1, Math.floor(gaps.length / 10));
        const profile = Array.from({ length: Math.ceil(gaps.length / tenth) }, (_, i) => median(gaps.slice(i * tenth, (i + 1) * tenth)).toFixed(1));
        const cpuMs = ((used.user + used.system) / 1000 / n).toFixed(2);
        console.log(`  ${kind} ${sessionId}: ${n} steps, CPU ${cpuMs} ms/step (host + in-process fake); gap median by tenth: ${profile.join(' ')}`);
      }
      return gaps;
    };
    await run('warmup', 50);
    const runs: number[][] = [];
    for (let r = 1; r <= repeats; r++) runs.push(await run(`steps${r}`, steps));
    return runs;
  } finally {
    diagnostics.unsubscribe('http.server.request.start', onRequest);
    await host.close();
    await close();
    await fake.stop();
  }
}

/** N sessions each start a run at once; the provider answers after 1 s. */
async function concurrentSessions(kind: StoreKind, fake: FakeProcess, n: number): Promise<number> {
  const { stores, close } = await benchStores(kind);
  const llm = new ObservedLlm(fake.url);
  const host = await startHost(stores, llm);
  try {
    const sessions = Array.from({ length: n }, (_, i) => `c${i}`);
    const started = performance.now();
    const runs = await Promise.all(
      sessions.map(async (id) => {
        await openSession(host, id);
        return startRun(host, id, `use ${STEP_TOOL} {"session":"${id}"}`);
      }),
    );
    const submitted = performance.now() - started;
    const statuses = await Promise.all(sessions.map((id, i) => waitRun(host, id, runs[i]!)));
    console.log(`  ${kind}: ${n} sessions opened and runs started in ${Math.round(submitted)} ms, all done in ${Math.round(performance.now() - started)} ms, peak in flight ${llm.maxInFlight}, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
    const failed = statuses.filter((s) => s !== 'completed').length;
    if (failed) throw new Error(`${failed} concurrent runs did not complete`);
    return llm.maxInFlight;
  } finally {
    await host.close();
    await close();
  }
}

/** Many sessions running two-turn tool runs back to back; completed generations per second. */
async function turnsPerSecond(kind: StoreKind, fake: FakeProcess, sessions: number, runsEach: number): Promise<number> {
  const { stores, close } = await benchStores(kind);
  const llm = new ObservedLlm(fake.url);
  const host = await startHost(stores, llm);
  try {
    const ids = Array.from({ length: sessions }, (_, i) => `t${i}`);
    await Promise.all(ids.map((id) => openSession(host, id)));
    const started = performance.now();
    const cpu = process.cpuUsage();
    const fakeCpu = processCpuMs(fake.pid);
    await Promise.all(
      ids.map(async (id) => {
        for (let r = 0; r < runsEach; r++) {
          const status = await waitRun(host, id, await startRun(host, id, `use ${STEP_TOOL} {"run":${r}}`));
          if (status !== 'completed') throw new Error(`throughput run ended ${status}`);
        }
      }),
    );
    const used = process.cpuUsage(cpu);
    // Host-process CPU per turn: the figure that does not depend on what else the machine runs.
    const fakeUsed = processCpuMs(fake.pid) - fakeCpu;
    console.log(`  ${kind}: ${llm.completed} turns, host CPU ${((used.user + used.system) / 1000 / llm.completed).toFixed(2)} ms/turn, fake provider CPU ${(fakeUsed / llm.completed).toFixed(2)} ms/turn`);
    return llm.completed / ((performance.now() - started) / 1000);
  } finally {
    await host.close();
    await close();
  }
}

// BENCH_ONLY=steps|concurrent|throughput and BENCH_STORES=pglite,memory narrow a profiling run.
const ONLY = process.env.BENCH_ONLY;
const STORES = (process.env.BENCH_STORES ?? 'memory,pglite').split(',') as StoreKind[];

async function measure(kind: StoreKind, fast: FakeProcess, slow: FakeProcess): Promise<Figures> {
  const gapRuns = !ONLY || ONLY === 'steps' ? await stepGaps(kind, STEPS, GAP_REPEATS) : [[NaN]];
  const concurrent = !ONLY || ONLY === 'concurrent' ? await concurrentSessions(kind, slow, CONCURRENT) : NaN;
  const throughput: number[] = [];
  for (let r = 0; (!ONLY || ONLY === 'throughput') && r < THROUGHPUT_REPEATS; r++) throughput.push(await turnsPerSecond(kind, fast, THROUGHPUT_SESSIONS, RUNS_PER_SESSION));
  const turnsPerS = throughput.length ? median(throughput) : NaN;
  return { gapP50: median(gapRuns.flat()), growthPer100: median(gapRuns.map(slope)) * 100, concurrent, turnsPerS };
}

function line(label: string, f: Figures): string {
  return `${label}: step_gap_ms_p50=${f.gapP50.toFixed(2)} step_gap_growth_ms_per_100=${f.growthPer100.toFixed(2)} concurrent_sessions=${f.concurrent} turns_per_s=${Math.round(f.turnsPerS)}`;
}

// Wall-clock figures depend on what else the machine runs; the CPU lines above do not.
console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const fast = await startFakeProcess([]);
const slow = await startFakeProcess(['--first-token-delay-ms', '1000']);
try {
  if (STORES.includes('memory')) console.log(line('runtime(memory store, reference)', await measure('memory', fast, slow)));
  if (STORES.includes('pglite')) {
    const pglite = await measure('pglite', fast, slow);
    console.log(`machine: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(line('runtime', pglite));
  }
} finally {
  await fast.stop();
  await slow.stop();
}
