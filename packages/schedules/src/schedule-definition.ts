import { LightspeedError, type CatchUpPolicy, type OverlapPolicy, type ScheduleDefinition, type ScheduleSpec, type TaskTemplate } from '@lightspeed/ports';
import { checkTimezone, fireTimes, MIN_INTERVAL_MS, normalizeCron } from './fire-times.js';
import { checkTaskTemplate } from './task-template.js';

/** What `schedules/put` accepts: policies may be left to their defaults. */
export interface ScheduleInput {
  scheduleId: string;
  spec: ScheduleSpec;
  task: TaskTemplate;
  catchUp?: { policy?: CatchUpPolicy; windowMs?: number };
  overlap?: OverlapPolicy;
  description?: string;
}

/**
 * Default catch-up windows (how late a fire may be and still run): a `skip` schedule runs only
 * fires that are on time, give or take a minute of scheduler lag; `coalesce` and `all` look back a
 * day, so a 12 h outage still yields its one coalesced run.
 */
export const DEFAULT_WINDOW_MS: Record<CatchUpPolicy, number> = { coalesce: 24 * 3_600_000, skip: 60_000, all: 24 * 3_600_000 };
const MAX_WINDOW_MS = 30 * 24 * 3_600_000;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const FIELDS = new Set(['scheduleId', 'spec', 'task', 'catchUp', 'overlap', 'description']);

function invalid(field: string, message: string): LightspeedError {
  return new LightspeedError('invalid', `${field}: ${message}`, { field });
}

function checkSpec(spec: ScheduleSpec): ScheduleSpec {
  if (spec?.kind === 'interval') {
    for (const key of Object.keys(spec)) if (!['kind', 'everyMs', 'anchorAt'].includes(key)) throw invalid(`spec.${key}`, 'unknown field of an interval spec (everyMs, anchorAt)');
    if (!Number.isSafeInteger(spec.everyMs) || spec.everyMs < MIN_INTERVAL_MS) throw invalid('spec.everyMs', `must be a whole number of milliseconds, at least ${MIN_INTERVAL_MS}`);
    if (spec.anchorAt !== undefined && (!Number.isSafeInteger(spec.anchorAt) || spec.anchorAt < 0)) throw invalid('spec.anchorAt', 'must be an epoch time in ms');
    return spec.anchorAt === undefined ? { kind: 'interval', everyMs: spec.everyMs } : { kind: 'interval', everyMs: spec.everyMs, anchorAt: spec.anchorAt };
  }
  if (spec?.kind === 'cron') {
    for (const key of Object.keys(spec)) if (!['kind', 'expression', 'timezone'].includes(key)) throw invalid(`spec.${key}`, 'unknown field of a cron spec (expression, timezone)');
    if (typeof spec.expression !== 'string') throw invalid('spec.expression', 'required');
    const expression = normalizeCron(spec.expression);
    const timezone = checkTimezone(spec.timezone ?? 'UTC');
    const checked: ScheduleSpec = { kind: 'cron', expression: spec.expression.trim(), timezone };
    // Compiling refuses bad fields (`61 * * * *`) with croner's message, naming spec.expression.
    fireTimes({ kind: 'cron', expression, timezone }, 0);
    return checked;
  }
  throw invalid('spec.kind', 'must be "interval" (everyMs) or "cron" (expression, timezone)');
}

/** The stored definition of an input, with defaults filled in, or `invalid` naming the field. */
export function checkScheduleDefinition(input: ScheduleInput): ScheduleDefinition {
  for (const key of Object.keys(input)) if (!FIELDS.has(key)) throw invalid(key, 'unknown field of a schedule');
  if (typeof input.scheduleId !== 'string' || !ID.test(input.scheduleId)) throw invalid('scheduleId', 'must be 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit');
  const spec = checkSpec(input.spec);
  const task = checkTaskTemplate(input.task);
  const policy = input.catchUp?.policy ?? 'coalesce';
  if (!['coalesce', 'skip', 'all'].includes(policy)) throw invalid('catchUp.policy', 'must be coalesce, skip or all');
  for (const key of Object.keys(input.catchUp ?? {})) if (!['policy', 'windowMs'].includes(key)) throw invalid(`catchUp.${key}`, 'unknown field (policy, windowMs)');
  const windowMs = input.catchUp?.windowMs ?? DEFAULT_WINDOW_MS[policy];
  if (!Number.isSafeInteger(windowMs) || windowMs < 0 || windowMs > MAX_WINDOW_MS) throw invalid('catchUp.windowMs', `must be a whole number of ms from 0 to ${MAX_WINDOW_MS} (30 days)`);
  const overlap = input.overlap ?? 'skip';
  if (!['skip', 'buffer_one', 'allow'].includes(overlap)) throw invalid('overlap', 'must be skip, buffer_one or allow');
  if (input.description !== undefined && (typeof input.description !== 'string' || input.description.length > 1000)) throw invalid('description', 'at most 1000 characters');
  return {
    scheduleId: input.scheduleId,
    spec,
    task,
    catchUp: { policy, windowMs },
    overlap,
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
}
