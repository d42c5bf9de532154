/*
 * bench:ops — figures for schedules and sensor events on a real PostgreSQL server (started from
 * the local binaries, like the tests). Prints one line per figure and, last,
 *   ops: schedule_tick_ms_10k=… events_ingest_per_s=… dedupe_p50_ms=…
 *
 * - schedule_tick_ms_10k: median wall time of one scheduler tick over 10,000 schedules (10
 *   universes, intervals spread from 1 min to 1 h, as a busy deployment's steady state: a dozen
 *   due per second), the clock advanced 1 s per tick for 120 ticks. Includes enqueueing the due
 *   fires' tasks.
 * - events_ingest_per_s: generic webhooks through `POST /hooks/<hookId>`'s handler (HMAC verified,
 *   raw body to CAS, event recorded, trigger matched, task enqueued), 16 deliveries in flight,
 *   4,000 distinct deliveries plus 10% repeats (which must come back deduped).
 * - dedupe_p50_ms: median latency of a repeated delivery (answered 200 deduped).
 *
 * Also printed (not on the last line): CPU time per delivery of this process and of the
 * PostgreSQL server's processes, read from /proc (Linux). On a machine shared with other work the
 * wall-clock rate follows the share of CPU the bench gets; the CPU per delivery does not.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Clock } from '@lightspeed/ports';
import { openStorage } from '@lightspeed/store-sql';
import { startPostgres } from '@lightspeed/testkit';
import { createOperations, signDelivery, type BodyRead } from '../src/index.js';

class BenchClock implements Clock {
  constructor(public t = Date.now()) {}
  now(): number {
    return this.t;
  }
}

/** CPU ms used so far by the postmaster of `dataDir` and its children (live ones), or undefined off Linux. */
function serverCpuMs(dataDir: string): number | undefined {
  try {
    const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        // Fields after the command: state, ppid, … utime (14th field), stime (15th), in clock ticks (100/s).
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        if (Number(pid) === postmaster || Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // the process ended meanwhile
      }
    }
    return ticks * 10;
  } catch {
    return undefined;
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function main(): Promise<void> {
  const server = await startPostgres();
  const clock = new BenchClock();
  const storage = await openStorage({ kind: 'postgres', url: server.url, maxConnections: 16 }, { clock, migrate: true });
  try {
    const ops = createOperations(storage, { clock, owner: 'bench', hookRatePerSecond: 1_000_000 });

    // --- schedules
    const universes = Array.from({ length: 10 }, (_, i) => `bench-${i}`);
    const started = performance.now();
    const puts: Promise<unknown>[] = [];
    for (let i = 0; i < 10_000; i++) {
      const everyMs = 60_000 + Math.floor((i * 7919) % 3_540) * 1_000;
      puts.push(ops.schedules.put(universes[i % 10]!, { scheduleId: `s${i}`, spec: { kind: 'interval', everyMs }, task: { kind: 'bench.tick', agent: 'bench', payload: { at: '{{fire.at}}' } }, overlap: 'allow' }));
      if (puts.length === 32) await Promise.all(puts.splice(0));
    }
    await Promise.all(puts);
    await storage.driver.query('ANALYZE ls_schedules');
    console.log(`schedules: 10,000 put in ${Math.round(performance.now() - started)} ms`);
    const ticks: number[] = [];
    let enqueued = 0;
    clock.t += 60_000; // the first minute's fires are due at once; measure the steady state after it
    await ops.scheduler.tick();
    for (let i = 0; i < 120; i++) {
      clock.t += 1_000;
      const t0 = performance.now();
      const report = await ops.scheduler.tick();
      ticks.push(performance.now() - t0);
      enqueued += report.enqueued;
    }
    const tickMs = median(ticks);
    console.log(`schedule tick over 10,000 schedules: p50 ${tickMs.toFixed(1)} ms, max ${Math.max(...ticks).toFixed(1)} ms, ${(enqueued / ticks.length).toFixed(1)} tasks per tick`);

    // --- webhooks
    const universe = `hooks-${randomUUID().slice(0, 8)}`;
    const secret = 'bench-hmac-secret-0123456789';
    const { record } = await ops.triggers.put(universe, { triggerId: 'bench', task: { kind: 'bench.event', agent: 'bench', payload: { n: '{{event.payload.n}}' } }, webhook: { scheme: 'hmac-sha256' } }, { secret });
    const hookId = record.hookId!;
    const deliveries = Array.from({ length: 4_000 }, (_, n) => {
      const body = Buffer.from(JSON.stringify({ type: 'bench.event', n, pad: 'x'.repeat(200) }));
      return { body, headers: signDelivery({ scheme: 'hmac-sha256' }, secret, body, new Date(clock.t), `d-${n}`) };
    });
    const work = [...deliveries, ...deliveries.filter((_, n) => n % 10 === 0)];
    const read = (bytes: Uint8Array) => async (): Promise<BodyRead> => ({ ok: true, bytes });
    const dedupeMs: number[] = [];
    let accepted = 0;
    let deduped = 0;
    let next = 0;
    const t0 = performance.now();
    const serverCpu0 = serverCpuMs(server.dataDir);
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < work.length) {
          const index = next++;
          const delivery = work[index]!;
          const start = performance.now();
          const answer = await ops.hooks.handle(hookId, delivery.headers, read(delivery.body));
          if (answer.status === 202) accepted++;
          else if (answer.status === 200) {
            deduped++;
            if (index >= deliveries.length) dedupeMs.push(performance.now() - start);
          } else throw new Error(`delivery ${index} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const serverCpu1 = serverCpuMs(server.dataDir);
    const serverUs = serverCpu0 !== undefined && serverCpu1 !== undefined ? `${Math.round(((serverCpu1 - serverCpu0) * 1000) / work.length)} µs` : 'unknown';
    console.log(`webhooks: CPU per delivery: this process ${Math.round((cpu.user + cpu.system) / work.length)} µs, PostgreSQL ${serverUs}`);
    const perSecond = work.length / seconds;
    const tasks = (await storage.tasks(universe).counts()).byState.queued;
    if (accepted !== deliveries.length || deduped !== work.length - deliveries.length || tasks !== deliveries.length) {
      throw new Error(`dedupe broke: ${accepted} accepted, ${deduped} deduped, ${tasks} tasks for ${deliveries.length} distinct deliveries`);
    }
    console.log(`webhooks: ${work.length} deliveries (${deduped} repeats) in ${seconds.toFixed(2)} s, ${accepted} events and ${tasks} tasks`);
    console.log(`ops: schedule_tick_ms_10k=${tickMs.toFixed(1)} events_ingest_per_s=${Math.round(perSecond)} dedupe_p50_ms=${median(dedupeMs).toFixed(2)}`);
  } finally {
    await storage.close();
    await server.stop();
  }
}

await main();
