import { describe, expect, it } from 'vitest';
import type { Storage } from '@lightspeed/store-sql';
import type { Task } from '@lightspeed/ports';
import { Scheduler, ScheduleService, type ScheduleInput } from '../src/index.js';
import { freshUniverse, ManualClock, useSqlBackend } from './sql-backend.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

function stack(storage: Storage, clock: ManualClock, owner = 'scheduler-a') {
  const parts = { schedules: (u: string) => storage.schedules(u), tasks: (u: string) => storage.tasks(u), clock };
  return { scheduler: new Scheduler({ ...parts, ledger: storage.scheduleLedger(), owner }), service: new ScheduleService(parts) };
}

const schedule = (scheduleId: string, spec: ScheduleInput['spec'], more: Partial<ScheduleInput> = {}): ScheduleInput => ({
  scheduleId,
  spec,
  task: { kind: 'ops.check', agent: 'checker', payload: { schedule: '{{schedule.id}}', at: '{{fire.at}}' } },
  ...more,
});

async function tasksOf(storage: Storage, universe: string, scheduleId?: string): Promise<Task[]> {
  const { tasks } = await storage.tasks(universe).list({ limit: 1000, ...(scheduleId ? { source: `schedule:${scheduleId}` } : {}) });
  return tasks.reverse();
}

describe.each(['pglite', 'postgres'] as const)('the scheduler on %s', (kind) => {
  const backend = useSqlBackend(kind);

  it('after a simulated 12 h outage, each coalesced schedule makes exactly one task; skip runs only an on-time fire, all one per fire in its window', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
    const storage = await backend.open(clock);
    const { scheduler, service } = stack(storage, clock);
    const u = freshUniverse();
    await service.put(u, schedule('every-5m', { kind: 'interval', everyMs: 5 * MIN }));
    await service.put(u, schedule('every-10m-cron', { kind: 'cron', expression: '*/10 * * * *', timezone: 'Europe/Berlin' }));
    await service.put(u, schedule('hourly', { kind: 'cron', expression: '@hourly' }));
    await service.put(u, schedule('on-time-only', { kind: 'interval', everyMs: 15 * MIN }, { catchUp: { policy: 'skip' } }));
    await service.put(u, schedule('all-3h', { kind: 'interval', everyMs: HOUR }, { catchUp: { policy: 'all', windowMs: 3 * HOUR }, overlap: 'allow' }));
    expect((await scheduler.tick()).enqueued).toBe(0);

    clock.advance(12 * HOUR + 30_000); // the server was down; it comes back 30 s after a fire
    const report = await scheduler.tick();
    expect(report).toMatchObject({ leading: true, schedules: 5 });
    expect((await tasksOf(storage, u, 'every-5m')).length).toBe(1);
    expect((await tasksOf(storage, u, 'every-10m-cron')).length).toBe(1);
    expect((await tasksOf(storage, u, 'hourly')).length).toBe(1);
    // skip runs only the fire that is on time (12:00, 30 s late, inside its 60 s window).
    expect((await tasksOf(storage, u, 'on-time-only')).map((t) => t.payload)).toEqual([{ schedule: 'on-time-only', at: Date.parse('2026-06-01T12:00:00Z') }]);
    expect((await tasksOf(storage, u, 'all-3h')).map((t) => t.payload).sort((x, y) => (x as { at: number }).at - (y as { at: number }).at)).toEqual([10, 11, 12].map((h) => ({ schedule: 'all-3h', at: Date.parse('2026-06-01T00:00:00Z') + h * HOUR })));
    const fiveMinutes = await service.read(u, 'every-5m');
    expect(fiveMinutes.record.state).toMatchObject({ fired: 1, missed: 143, skipped: 0, lastOutcome: { result: 'enqueued' } });
    expect(fiveMinutes.record.state.nextAt).toBe(clock.t - 30_000 + 5 * MIN);
    expect((await service.read(u, 'on-time-only')).record.state).toMatchObject({ fired: 1, missed: 47 });
    // The coalesced task is for the latest missed fire, and the next one is after now.
    expect((await tasksOf(storage, u, 'hourly'))[0]!.payload).toEqual({ schedule: 'hourly', at: Date.parse('2026-06-01T12:00:00Z') });
    expect((await scheduler.tick()).enqueued).toBe(0);
  });

  it('overlap skip: no second task while the previous one is queued or running; buffer_one runs one when it finishes', async () => {
    const clock = new ManualClock();
    const storage = await backend.open(clock);
    const { scheduler, service } = stack(storage, clock);
    const u = freshUniverse();
    const queue = storage.tasks(u);
    await service.put(u, schedule('skipper', { kind: 'interval', everyMs: MIN }));
    await service.put(u, schedule('buffered', { kind: 'interval', everyMs: MIN }, { overlap: 'buffer_one' }));
    clock.advance(MIN);
    expect((await scheduler.tick()).enqueued).toBe(2);
    const claimed = await queue.claim({ dispatcher: 'd1', limit: 2, leaseMs: HOUR });
    expect(claimed.length).toBe(2);

    clock.advance(MIN);
    expect((await scheduler.tick()).enqueued).toBe(0);
    clock.advance(MIN);
    expect((await scheduler.tick()).enqueued).toBe(0);
    expect((await service.read(u, 'skipper')).record.state).toMatchObject({ fired: 1, skipped: 2, lastOutcome: { result: 'skipped_overlap' } });
    const buffered = (await service.read(u, 'buffered')).record.state;
    expect(buffered).toMatchObject({ fired: 1, skipped: 1, bufferedAt: clock.t - MIN });

    for (const claim of claimed) await queue.succeed(claim.lease);
    expect((await scheduler.tick()).enqueued).toBe(1); // the buffered fire, without waiting for the next one
    expect((await tasksOf(storage, u, 'buffered')).map((t) => (t.payload as { at: number }).at)).toEqual([clock.t - 2 * MIN, clock.t - MIN]);
    expect((await service.read(u, 'buffered')).record.state.bufferedAt).toBeUndefined();
    clock.advance(MIN);
    await scheduler.tick();
    expect((await tasksOf(storage, u, 'skipper')).length).toBe(2);
    expect((await tasksOf(storage, u, 'buffered')).length).toBe(2); // its buffered task is still queued
  });

  it('pause stops fires, resume counts the paused ones as missed without running them, and run-now leaves the timer alone', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
    const storage = await backend.open(clock);
    const { scheduler, service } = stack(storage, clock);
    const u = freshUniverse();
    await service.put(u, schedule('nightly', { kind: 'cron', expression: '0 3 * * *', timezone: 'America/New_York' }));
    const before = await service.read(u, 'nightly');
    expect(before.upcoming.map((t) => new Date(t).toISOString())).toEqual(['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05'].map((d) => `${d}T07:00:00.000Z`));

    const paused = await service.pause(u, 'nightly');
    expect(paused.record.state.paused).toBe(true);
    expect(paused.upcoming).toEqual([]);
    clock.advance(3 * 24 * HOUR);
    expect((await scheduler.tick()).schedules).toBe(0);
    const resumed = await service.resume(u, 'nightly');
    expect(resumed.record.state).toMatchObject({ paused: false, missed: 3, fired: 0 });
    expect(resumed.record.state.nextAt).toBe(Date.parse('2026-06-04T07:00:00Z'));
    expect((await scheduler.tick()).enqueued).toBe(0);

    const { outcome, view } = await service.run(u, 'nightly');
    expect(outcome).toMatchObject({ result: 'enqueued', manual: true, fireAt: clock.t });
    expect(view.record.state).toMatchObject({ fired: 1, nextAt: Date.parse('2026-06-04T07:00:00Z') });
    expect(view.lastTask).toMatchObject({ state: 'queued' });
    clock.set('2026-06-04T07:00:01Z');
    // The manual run's task is still queued: overlap skip holds the scheduled fire back.
    await scheduler.tick();
    expect((await service.read(u, 'nightly')).record.state).toMatchObject({ fired: 1, skipped: 1 });
  });

  it('fires a daily 02:30 Europe/Berlin job once per day through both DST transitions, ticking every 10 minutes', async () => {
    const clock = new ManualClock(Date.parse('2026-03-27T12:00:00Z'));
    const storage = await backend.open(clock);
    const { scheduler, service } = stack(storage, clock);
    const u = freshUniverse();
    await service.put(u, schedule('berlin', { kind: 'cron', expression: '30 2 * * *', timezone: 'Europe/Berlin' }, { overlap: 'allow' }));
    const until = (iso: string) => (async () => {
      while (clock.t < Date.parse(iso)) {
        clock.advance(10 * MIN);
        await scheduler.tick();
      }
    })();
    await until('2026-03-30T12:00:00Z');
    clock.set('2026-10-24T12:00:00Z');
    await scheduler.tick(); // coalesces the months between into one run
    await until('2026-10-26T12:00:00Z');
    const fires = (await tasksOf(storage, u, 'berlin')).map((t) => new Date((t.payload as { at: number }).at).toISOString());
    expect(fires).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z', // 03:30 CEST: 02:30 did not exist
      '2026-03-30T00:30:00.000Z',
      '2026-10-24T00:30:00.000Z', // the coalesced catch-up of the jump to October
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, once (not again at 02:30 CET)
      '2026-10-26T01:30:00.000Z',
    ]);
  });
});

describe('two schedulers on one PostgreSQL', () => {
  const backend = useSqlBackend('postgres');

  it('never double-fire: exactly one leads each tick, a crashed leader is replaced after its lease, and every fire makes one task', async () => {
    const clock = new ManualClock();
    const first = await backend.open(clock);
    const second = await backend.open(clock, first.database);
    const a = stack(first, clock, 'scheduler-a');
    const b = stack(second, clock, 'scheduler-b');
    const universes = [freshUniverse(), freshUniverse()];
    for (const u of universes) for (let i = 0; i < 10; i++) await a.service.put(u, schedule(`s${i}`, { kind: 'interval', everyMs: MIN }, { overlap: 'allow' }));

    let leader = a;
    let other = b;
    for (let step = 0; step < 20; step++) {
      // A minute between ticks outlasts the 15 s lease, so either may take the lead each time.
      clock.advance(MIN);
      const reports = await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
      expect(reports.filter((r) => r.leading).length).toBe(1);
      [leader, other] = reports[0]!.leading ? [a, b] : [b, a];
      expect(reports.reduce((sum, r) => sum + r.enqueued, 0)).toBe(20);
    }

    // The leader crashes (no resign): the other waits out the lease, then leads; the old one coming back does not act.
    clock.advance(10_000);
    expect((await other.scheduler.tick()).leading).toBe(false);
    clock.advance(MIN - 10_000);
    expect(await other.scheduler.tick()).toMatchObject({ leading: true, enqueued: 20 });
    expect((await leader.scheduler.tick()).leading).toBe(false);

    for (const u of universes) {
      const tasks = await tasksOf(first, u);
      expect(tasks.length).toBe(10 * 21);
      expect(new Set(tasks.map((t) => t.dedupeKey)).size).toBe(tasks.length);
    }
    await other.scheduler.stop();
    expect((await leader.scheduler.tick()).leading).toBe(true); // a resigned lead is free at once
  });
});

describe.each(['pglite', 'postgres'] as const)('schedule revisions on %s', (kind) => {
  const backend = useSqlBackend(kind);

  it('an edit guarded by the current revision replaces the schedule; a stale or missing one is a conflict and creates nothing', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
    const storage = await backend.open(clock);
    const { service } = stack(storage, clock);
    const u = freshUniverse();
    expect((await service.put(u, schedule('nightly', { kind: 'cron', expression: '0 3 * * *' }), 0)).record.revision).toBe(1);
    await expect(service.put(u, schedule('nightly', { kind: 'cron', expression: '0 4 * * *' }), 0)).rejects.toMatchObject({ code: 'conflict', details: { actualRevision: 1 } });
    const edited = await service.put(u, schedule('nightly', { kind: 'cron', expression: '0 4 * * *' }, { description: 'edited' }), 1);
    expect(edited.record).toMatchObject({ revision: 2, definition: { description: 'edited', spec: { expression: '0 4 * * *' } } });
    await expect(service.put(u, schedule('nightly', { kind: 'cron', expression: '0 5 * * *' }), 1)).rejects.toMatchObject({ code: 'conflict', details: { expectedRevision: 1, actualRevision: 2 } });
    await expect(service.put(u, schedule('never-made', { kind: 'cron', expression: '0 5 * * *' }), 3)).rejects.toMatchObject({ code: 'conflict', details: { actualRevision: 0 } });
    expect(await storage.schedules(u).get('never-made')).toBeUndefined();
  });
});
