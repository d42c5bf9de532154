import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

type Flags = { json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

interface ScheduleView {
  scheduleId: string;
  spec: { kind: 'interval'; everyMs: number } | { kind: 'cron'; expression: string; timezone?: string | null };
  task: { kind: string; agent: string };
  catchUp: { policy: string; windowMs: number };
  overlap: string;
  paused: boolean;
  nextRunAtMs: number | null;
  upcomingMs: number[];
  lastOutcome?: { result: string; atMs: number; taskId?: string | null; error?: string | null } | null;
  lastTask?: { taskId: string; state: string } | null;
  counters: { fired: number; missed: number; skipped: number };
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h`, `2d` or plain milliseconds, as whole milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = match ? Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!) : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) throw usageError(`${flag} must be a duration such as 90s, 15m, 1h or 2d, got "${text}"`);
  return ms;
}

/** A JSON flag value, or a usage error naming the flag. */
export function parseJsonFlag(flag: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw usageError(`${flag} must be JSON, got ${JSON.stringify(text.slice(0, 80))}`, `quote it for the shell, e.g. ${flag} '{"repo":"acme/api"}'`);
  }
}

const iso = (ms: number | null | undefined) => (ms == null ? '-' : new Date(ms).toISOString());

function specText(spec: ScheduleView['spec']): string {
  return spec.kind === 'interval' ? `every ${spec.everyMs / 1000}s` : `cron "${spec.expression}" ${spec.timezone ?? 'UTC'}`;
}

/** One schedule as a line: id, spec, state, next run, counters, last outcome. */
export function scheduleLine(view: ScheduleView): string {
  const last = view.lastOutcome ? `${view.lastOutcome.result}${view.lastTask ? ` (${view.lastTask.state})` : ''}` : '-';
  return [view.scheduleId, specText(view.spec), view.paused ? 'paused' : `next ${iso(view.nextRunAtMs)}`, `fired ${view.counters.fired} missed ${view.counters.missed} skipped ${view.counters.skipped}`, `last ${last}`].join('\t');
}

async function showSchedule(ctx: CommandContext, flags: Flags, method: string, params: Record<string, unknown>): Promise<void> {
  await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
    const result = await client.call<{ schedule: ScheduleView; outcome?: { result: string; taskId?: string | null; error?: string | null } }>(method, params);
    if (flags.json) return writeJson(ctx, result);
    ctx.io.stdout.write(`${scheduleLine(result.schedule)}\n`);
    if (result.outcome) ctx.io.stdout.write(`run now: ${result.outcome.result}${result.outcome.taskId ? ` task ${result.outcome.taskId}` : ''}${result.outcome.error ? `: ${result.outcome.error}` : ''}\n`);
  });
}

/** `lightspeed schedules put|list|show|pause|resume|run|delete`: recurring tasks for agents. */
export function registerSchedules(program: Command, ctx: CommandContext): void {
  const schedules = program.command('schedules').description('recurring work: interval or cron schedules that create tasks for an agent');
  withServerOptions(
    schedules
      .command('put')
      .alias('add')
      .description('create or replace a schedule (counters and pause are kept on replace)')
      .argument('<scheduleId>')
      .option('--every <duration>', 'an interval: 90s, 15m, 1h, 1d')
      .option('--cron <expression>', 'a cron expression: 5 fields, 6 with seconds first, or @hourly/@daily/@weekly/@monthly/@yearly')
      .option('--tz <timezone>', 'IANA timezone of --cron (default UTC)')
      .requiredOption('--agent <agent>', 'the agent definition that runs each task')
      .requiredOption('--kind <kind>', 'the task kind (e.g. nightly.check)')
      .option('--payload <json>', 'task payload (JSON; strings may use {{fire.iso}}, {{schedule.id}})')
      .option('--subject <text>', 'task subject shown in lists')
      .option('--catch-up <policy>', 'after downtime: coalesce (one task) | skip | all', 'coalesce')
      .option('--window <duration>', 'how late a fire may be and still run (default 24h; 60s for skip)')
      .option('--overlap <policy>', 'while the previous task is queued or running: skip | buffer_one | allow', 'skip')
      .option('--description <text>')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (scheduleId: string, flags: Flags & Record<string, string | undefined>) => {
    if ((flags.every === undefined) === (flags.cron === undefined)) throw usageError('give exactly one of --every <duration> or --cron <expression>');
    if (flags.tz !== undefined && flags.cron === undefined) throw usageError('--tz applies to --cron only');
    const spec = flags.every !== undefined ? { kind: 'interval', everyMs: parseDuration('--every', flags.every) } : { kind: 'cron', expression: flags.cron, ...(flags.tz ? { timezone: flags.tz } : {}) };
    const task = { kind: flags.kind, agent: flags.agent, ...(flags.payload !== undefined ? { payload: parseJsonFlag('--payload', flags.payload) } : {}), ...(flags.subject ? { subject: flags.subject } : {}) };
    const catchUp = { policy: flags.catchUp, ...(flags.window !== undefined ? { windowMs: parseDuration('--window', flags.window) } : {}) };
    const schedule = { scheduleId, spec, task, catchUp, overlap: flags.overlap, ...(flags.description ? { description: flags.description } : {}) };
    await showSchedule(ctx, flags, 'schedules/put', { schedule });
  });
  withServerOptions(schedules.command('list').description('list schedules with their next run, counters and last outcome').option('--json', 'print the JSON-RPC result')).action(async (flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ schedules: ScheduleView[] }>('schedules/list', {});
      if (flags.json) return writeJson(ctx, result);
      if (result.schedules.length === 0) ctx.io.stderr.write('no schedules; create one with `lightspeed schedules put`\n');
      for (const view of result.schedules) ctx.io.stdout.write(`${scheduleLine(view)}\n`);
    });
  });
  withServerOptions(
    schedules.command('show').description('one schedule with its next run times').argument('<scheduleId>').option('--next <n>', 'how many next run times to show', '5').option('--json', 'print the JSON-RPC result'),
  ).action(async (scheduleId: string, flags: Flags & { next: string }) => {
    const preview = Number(flags.next);
    if (!Number.isInteger(preview) || preview < 0 || preview > 100) throw usageError(`--next must be a whole number from 0 to 100, got "${flags.next}"`);
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ schedule: ScheduleView }>('schedules/read', { scheduleId, preview });
      if (flags.json) return writeJson(ctx, result);
      const view = result.schedule;
      ctx.io.stdout.write(`${scheduleLine(view)}\n`);
      ctx.io.stdout.write(`task ${view.task.kind} for ${view.task.agent} · catch-up ${view.catchUp.policy} (window ${view.catchUp.windowMs / 1000}s) · overlap ${view.overlap}\n`);
      if (view.lastOutcome?.error) ctx.io.stdout.write(`last error: ${view.lastOutcome.error}\n`);
      for (const at of view.upcomingMs) ctx.io.stdout.write(`next\t${iso(at)}\n`);
    });
  });
  for (const [name, method, description] of [
    ['pause', 'schedules/pause', 'stop firing; fires while paused are counted as missed, never run'],
    ['resume', 'schedules/resume', 'fire again from the next run time after now'],
    ['run', 'schedules/run', 'create one task now (the timer is not reset)'],
    ['delete', 'schedules/delete', 'remove the schedule (its tasks remain)'],
  ] as const) {
    withServerOptions(schedules.command(name).description(description).argument('<scheduleId>').option('--json', 'print the JSON-RPC result')).action(async (scheduleId: string, flags: Flags) => {
      await showSchedule(ctx, flags, method, { scheduleId });
    });
  }
}
