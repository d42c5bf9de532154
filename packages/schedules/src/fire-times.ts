import { Cron } from 'croner';
import { LightspeedError, type ScheduleSpec } from '@lightspeed/ports';

/*
 * When a spec fires. Cron expressions are evaluated by croner in the schedule's IANA timezone;
 * around a fall-back transition croner keeps one instant per wall-clock time, which silently drops
 * every fire of the repeated hour for jobs like `0 * * * *` (a 90-minute gap in a half-hourly
 * job). We add the classic cron rule on top: a job whose hour field is a wildcard (`*`, `*\/2`,
 * `@hourly`) follows real time and fires in both passes of the repeated hour; a job at fixed hours
 * (`30 1 * * *`, `@daily`) fires once, in the first pass. A wall time skipped by a spring-forward
 * transition fires at the first valid instant after the gap (croner's behaviour), so a daily job
 * still runs that day.
 */

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The smallest interval a schedule may have; finer work belongs in a loop, not a queue. */
export const MIN_INTERVAL_MS = 1_000;

function invalid(field: string, message: string): LightspeedError {
  return new LightspeedError('invalid', `${field}: ${message}`, { field });
}

/** The expression with nicknames expanded, or `invalid` naming the field. */
export function normalizeCron(expression: string): string {
  const trimmed = expression.trim().replace(/\s+/g, ' ');
  const expanded = NICKNAMES[trimmed.toLowerCase()] ?? trimmed;
  if (expanded.startsWith('@')) throw invalid('spec.expression', `unknown nickname ${trimmed}; use one of ${Object.keys(NICKNAMES).join(', ')}`);
  const fields = expanded.split(' ');
  if (fields.length !== 5 && fields.length !== 6) throw invalid('spec.expression', `expected 5 fields (minute hour day month weekday) or 6 (seconds first), got ${fields.length}`);
  return expanded;
}

export function checkTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw invalid('spec.timezone', `unknown IANA timezone ${JSON.stringify(timezone)} (e.g. Europe/Berlin, America/New_York, UTC)`);
  }
  return timezone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The UTC offset (minutes) in force in `timezone` at instant `at`. */
export function offsetMinutes(timezone: string, at: number): number {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timezone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(at))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((wall - Math.floor(at / 1000) * 1000) / 60_000);
}

/** True when the wall-clock time at `at` already happened earlier at another offset (the repeated hour). */
function inSecondPass(timezone: string, at: number): boolean {
  const now = offsetMinutes(timezone, at);
  const before = offsetMinutes(timezone, at - 12 * 3_600_000);
  const shift = (before - now) * 60_000;
  return shift > 0 && offsetMinutes(timezone, at - shift) === before;
}

/** A compiled spec: the next fire strictly after an instant. */
export interface FireTimes {
  next(after: number): number | null;
}

class CronFireTimes implements FireTimes {
  private readonly zoned: Cron;
  private readonly byOffset = new Map<number, Cron>();
  /** Wildcard-hour jobs follow real time across a fall-back transition. */
  private readonly realTime: boolean;

  constructor(
    private readonly expression: string,
    private readonly timezone: string,
  ) {
    try {
      this.zoned = new Cron(expression, { timezone, paused: true });
    } catch (error) {
      throw invalid('spec.expression', (error as Error).message.replace(/^CronPattern: /, ''));
    }
    const fields = expression.split(' ');
    const hour = fields[fields.length === 6 ? 2 : 1]!;
    this.realTime = hour.includes('*');
  }

  private atOffset(offset: number): Cron {
    let cron = this.byOffset.get(offset);
    if (!cron) {
      cron = new Cron(this.expression, { utcOffset: offset, paused: true });
      this.byOffset.set(offset, cron);
    }
    return cron;
  }

  next(after: number): number | null {
    const answer = this.zoned.nextRun(new Date(after))?.getTime() ?? null;
    // In the repeated hour croner can answer an instant at or before `after` (its wall time is
    // later): only its offset is used then.
    const zoned = answer !== null && answer > after ? answer : null;
    // Candidates evaluated at each fixed offset in play (the one at `after`, and the one at croner's
    // answer): an instant counts only where that offset is really in force.
    const offsets = new Set([offsetMinutes(this.timezone, after), ...(answer !== null ? [offsetMinutes(this.timezone, answer)] : [])]);
    let best = zoned;
    for (const offset of offsets) {
      const candidate = this.atOffset(offset).nextRun(new Date(after))?.getTime();
      if (candidate === undefined || candidate <= after || (best !== null && candidate >= best)) continue;
      if (offsetMinutes(this.timezone, candidate) !== offset) continue;
      if (!this.realTime && inSecondPass(this.timezone, candidate)) continue;
      best = candidate;
    }
    // croner's own answer can be the second pass of a fixed-hour job (when it skipped the first).
    if (best !== null && best === zoned && !this.realTime && inSecondPass(this.timezone, best)) return this.next(best);
    // Both failed only inside a repeated hour: look again from its end.
    if (best === null && answer !== null && answer <= after) {
      const hourEnd = after - (after % 3_600_000) + 3_600_000 - 1;
      return this.next(hourEnd > after ? hourEnd : after + 3_600_000);
    }
    return best;
  }
}

class IntervalFireTimes implements FireTimes {
  constructor(
    private readonly everyMs: number,
    private readonly anchorAt: number,
  ) {}

  next(after: number): number {
    if (after < this.anchorAt) return this.anchorAt;
    return this.anchorAt + (Math.floor((after - this.anchorAt) / this.everyMs) + 1) * this.everyMs;
  }
}

/** Compiles a checked spec. An interval without an anchor is anchored at `createdAt`. */
export function fireTimes(spec: ScheduleSpec, createdAt: number): FireTimes {
  if (spec.kind === 'interval') return new IntervalFireTimes(spec.everyMs, spec.anchorAt ?? createdAt);
  return new CronFireTimes(normalizeCron(spec.expression), checkTimezone(spec.timezone ?? 'UTC'));
}

/** The next `count` fire times after `after` (the `next 5` preview). */
export function upcoming(times: FireTimes, after: number, count: number): number[] {
  const out: number[] = [];
  let cursor = after;
  while (out.length < count) {
    const next = times.next(cursor);
    if (next === null) break;
    out.push(next);
    cursor = next;
  }
  return out;
}
