import { z } from 'zod';
import { ModelConfig } from './config.js';
import { epochMs, named, uint } from './registry.js';

/*
 * Lightspeed extension (issue 15): schedules that create tasks (`schedules/*`). Not in the v1
 * contract. Semantics in docs/0021-schedules-and-triggers.md.
 */

const id = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, '1-128 characters of [A-Za-z0-9._-], starting with a letter or digit');

export const TaskTemplateInput = named(
  'TaskTemplateInput',
  z.strictObject({
    kind: z.string().min(1).max(128),
    agent: z.string().min(1).max(256),
    payload: z.unknown().optional().describe('Any JSON; string values may hold {{path}} placeholders (a string that is one placeholder keeps the value type).'),
    subject: z.string().max(256).nullish(),
    model: ModelConfig.nullish(),
    priority: z.number().int().min(-1000).max(1000).nullish(),
    maxAttempts: z.number().int().min(1).max(100).nullish(),
    timeoutMs: z.number().int().min(1).nullish(),
    concurrencyKey: z.string().min(1).max(256).nullish(),
    tags: z.array(z.string().min(1).max(256)).max(30).nullish(),
  }),
  'The task a schedule or trigger creates. Schedules offer {{schedule.id}}, {{fire.at}}, {{fire.iso}}, {{fire.manual}}; triggers {{event.payload.*}}, {{event.type}}, {{event.source}}, {{event.id}}.',
);

export const ScheduleSpecInput = named(
  'ScheduleSpecInput',
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('interval'), everyMs: z.number().int().min(1000), anchorAtMs: epochMs().nullish().describe('Fires at anchor + k·everyMs (default: creation time).') }),
    z.strictObject({
      kind: z.literal('cron'),
      expression: z.string().min(1).max(256).describe('5 fields, 6 with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly.'),
      timezone: z.string().min(1).max(64).nullish().describe('IANA timezone (default UTC).'),
    }),
  ]),
);

export const CatchUpPolicy = named('CatchUpPolicy', z.enum(['coalesce', 'skip', 'all']), 'coalesce: at most one task for all missed fires; skip: only on-time fires; all: each missed fire within the window.');
export const OverlapPolicy = named('OverlapPolicy', z.enum(['skip', 'buffer_one', 'allow']), 'While the previous task is queued or running: skip the fire, buffer one, or allow another.');

export const ScheduleInput = named(
  'ScheduleInput',
  z.strictObject({
    scheduleId: id(),
    spec: ScheduleSpecInput,
    task: TaskTemplateInput,
    catchUp: z.strictObject({ policy: CatchUpPolicy.nullish(), windowMs: z.number().int().min(0).nullish().describe('How late a fire may be and still run (default 24 h; 60 s for skip).') }).nullish(),
    overlap: OverlapPolicy.nullish(),
    description: z.string().max(1000).nullish(),
  }),
);

export const ScheduleOutcomeView = named(
  'ScheduleOutcomeView',
  z.object({
    atMs: epochMs(),
    fireAtMs: epochMs(),
    result: z.enum(['enqueued', 'deduped', 'skipped_overlap', 'buffered', 'failed']),
    manual: z.boolean().nullish(),
    taskId: z.string().nullish(),
    error: z.string().nullish(),
  }),
);

export const ScheduleView = named(
  'ScheduleView',
  z.object({
    scheduleId: z.string(),
    spec: ScheduleSpecInput,
    task: TaskTemplateInput,
    catchUp: z.object({ policy: CatchUpPolicy, windowMs: uint() }),
    overlap: OverlapPolicy,
    description: z.string().nullish(),
    revision: uint(),
    paused: z.boolean(),
    nextRunAtMs: epochMs().nullable(),
    upcomingMs: z.array(epochMs()).describe('The next fire times (schedules/read preview, default 5); empty while paused.'),
    bufferedFireAtMs: epochMs().nullish(),
    lastFireAtMs: epochMs().nullish(),
    lastOutcome: ScheduleOutcomeView.nullish(),
    lastTask: z.object({ taskId: z.string(), state: z.string(), attempts: uint(), updatedAtMs: epochMs(), finishedAtMs: epochMs().nullish() }).nullish(),
    counters: z.object({ fired: uint(), missed: uint(), skipped: uint() }).describe('Tasks created; fires that never ran (coalesced, outside the window, paused); fires skipped by overlap.'),
    createdAtMs: epochMs(),
    updatedAtMs: epochMs(),
  }),
);
export type ScheduleViewWire = z.infer<typeof ScheduleView>;

export const SchedulePutParams = named('SchedulePutParams', z.strictObject({ schedule: ScheduleInput, expectedRevision: uint().nullish().describe('0 = must not exist.') }));
export const ScheduleIdParams = named('ScheduleIdParams', z.strictObject({ scheduleId: id() }));
export const ScheduleReadParams = named('ScheduleReadParams', z.strictObject({ scheduleId: id(), preview: z.number().int().min(0).max(100).nullish().describe('How many next fire times to show (default 5).') }));
export const ScheduleListParams = named('ScheduleListParams', z.strictObject({ limit: z.number().int().min(1).max(1000).nullish(), cursor: z.string().max(512).nullish() }));
export const ScheduleResponse = named('ScheduleResponse', z.object({ schedule: ScheduleView }));
export const ScheduleListResponse = named('ScheduleListResponse', z.object({ schedules: z.array(ScheduleView), nextCursor: z.string().nullish() }));
export const ScheduleRunResponse = named('ScheduleRunResponse', z.object({ schedule: ScheduleView, outcome: ScheduleOutcomeView }));
