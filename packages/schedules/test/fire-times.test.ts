import { describe, expect, it } from 'vitest';
import { isLightspeedError } from '@lightspeed/ports';
import { checkScheduleDefinition, fireTimes, upcoming } from '../src/index.js';

const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString());
const at = (text: string) => Date.parse(text);
const cron = (expression: string, timezone: string) => fireTimes({ kind: 'cron', expression, timezone }, 0);

describe('cron fire times across DST', () => {
  it('Europe/Berlin spring forward: a daily 02:30 job (a wall time that does not exist) runs once, right after the gap', () => {
    // 2026-03-29 02:00 CET → 03:00 CEST (01:00Z).
    expect(iso(upcoming(cron('30 2 * * *', 'Europe/Berlin'), at('2026-03-27T12:00:00Z'), 4))).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:30:00.000Z', // 03:30 CEST: the first valid instant after the skipped 02:30
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('Europe/Berlin fall back: a daily 02:30 job runs once (first pass); an hourly job fires every real hour, both passes of 02:00', () => {
    // 2026-10-25 03:00 CEST → 02:00 CET (01:00Z): 02:00-02:59 happens twice.
    expect(iso(upcoming(cron('30 2 * * *', 'Europe/Berlin'), at('2026-10-24T12:00:00Z'), 3))).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST (first pass); not again at 01:30Z (02:30 CET)
      '2026-10-26T01:30:00.000Z',
      '2026-10-27T01:30:00.000Z',
    ]);
    expect(iso(upcoming(cron('@hourly', 'Europe/Berlin'), at('2026-10-24T22:30:00Z'), 5))).toEqual([
      '2026-10-24T23:00:00.000Z', // 01:00 CEST
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET (the repeated hour; croner alone skips it)
      '2026-10-25T02:00:00.000Z', // 03:00 CET
      '2026-10-25T03:00:00.000Z',
    ]);
  });

  it('America/New_York spring forward: 02:30 runs at 03:30 EDT that day; a half-hourly job has no fire in the gap and no extra one', () => {
    // 2026-03-08 02:00 EST → 03:00 EDT (07:00Z).
    expect(iso(upcoming(cron('30 2 * * *', 'America/New_York'), at('2026-03-07T12:00:00Z'), 3))).toEqual([
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
      '2026-03-10T06:30:00.000Z',
    ]);
    expect(iso(upcoming(cron('*/30 * * * *', 'America/New_York'), at('2026-03-08T06:00:00Z'), 4))).toEqual([
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T07:30:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('America/New_York fall back: 01:30 runs once; a half-hourly job keeps its 30-minute rhythm through the repeated hour', () => {
    // 2026-11-01 02:00 EDT → 01:00 EST (06:00Z).
    expect(iso(upcoming(cron('30 1 * * *', 'America/New_York'), at('2026-10-31T12:00:00Z'), 3))).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; not again at 06:30Z (01:30 EST)
      '2026-11-02T06:30:00.000Z',
      '2026-11-03T06:30:00.000Z',
    ]);
    expect(iso(upcoming(cron('*/30 * * * *', 'America/New_York'), at('2026-11-01T04:50:00Z'), 6))).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T07:30:00.000Z',
    ]);
  });

  it('reads 6-field expressions (seconds first) and nicknames; an interval counts real time from its anchor', () => {
    expect(iso(upcoming(cron('*/20 * * * * *', 'UTC'), at('2026-01-01T00:00:00Z'), 3))).toEqual(['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z', '2026-01-01T00:01:00.000Z']);
    expect(iso(upcoming(cron('@daily', 'Asia/Tokyo'), at('2026-01-01T00:00:00Z'), 1))).toEqual(['2026-01-01T15:00:00.000Z']);
    const interval = fireTimes({ kind: 'interval', everyMs: 3_600_000 }, at('2026-10-25T00:10:00Z'));
    expect(iso(upcoming(interval, at('2026-10-25T00:10:00Z'), 2))).toEqual(['2026-10-25T01:10:00.000Z', '2026-10-25T02:10:00.000Z']);
  });

  it('refuses bad expressions, unknown timezones and unknown fields, naming the field', () => {
    const input = (spec: object, more: object = {}) => ({ scheduleId: 'nightly', spec, task: { kind: 'nightly.check', agent: 'checker' }, ...more }) as never;
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        if (isLightspeedError(error, 'invalid')) return (error.details as { field: string }).field;
        throw error;
      }
      return 'accepted';
    };
    expect(field(() => checkScheduleDefinition(input({ kind: 'cron', expression: '61 * * * *' })))).toBe('spec.expression');
    expect(field(() => checkScheduleDefinition(input({ kind: 'cron', expression: '* * *' })))).toBe('spec.expression');
    expect(field(() => checkScheduleDefinition(input({ kind: 'cron', expression: '@fortnightly' })))).toBe('spec.expression');
    expect(field(() => checkScheduleDefinition(input({ kind: 'cron', expression: '0 9 * * *', timezone: 'Mars/Olympus' })))).toBe('spec.timezone');
    expect(field(() => checkScheduleDefinition(input({ kind: 'interval', everyMs: 10 })))).toBe('spec.everyMs');
    expect(field(() => checkScheduleDefinition(input({ kind: 'interval', everyMs: 60_000 }, { jitter: 5 })))).toBe('jitter');
    expect(field(() => checkScheduleDefinition(input({ kind: 'interval', everyMs: 60_000 }, { catchUp: { policy: 'later' } })))).toBe('catchUp.policy');
    expect(checkScheduleDefinition(input({ kind: 'cron', expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' }))).toMatchObject({ catchUp: { policy: 'coalesce', windowMs: 86_400_000 }, overlap: 'skip' });
  });
});
