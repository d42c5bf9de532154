import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { parseDuration, relative } from './durations.js';
import { taskTable, type TaskRow } from './task-table.js';
import { watchTasks } from './tasks-watch.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

type ServerFlags = { apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string; config?: string };

interface AddFlags extends ServerFlags {
  kind: string;
  subject?: string;
  source: string;
  priority?: string;
  delay?: string;
  at?: string;
  maxAttempts?: string;
  timeout?: string;
  dedupeKey?: string;
  concurrencyKey?: string;
  tag: string[];
  json?: boolean;
}

export interface ListFilterFlags {
  state: string[];
  agent?: string;
  kind?: string;
  tag?: string;
}

const TASK_STATES = ['queued', 'scheduled', 'running', 'succeeded', 'failed', 'blocked', 'cancelled'];

const collect = (value: string, previous: string[]) => [...previous, value];

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) throw usageError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

/** The payload argument: JSON text (a bare word is refused rather than guessed at). */
function parsePayload(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw usageError(`the payload must be JSON, got ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}`, `quote text as a JSON string: '"${text.slice(0, 20)}"', or pass an object: '{"issue": 12}'`);
  }
}

/** tasks/list params from the filter flags (states checked here, so a typo is a usage error). */
export function listFilters(flags: ListFilterFlags): Record<string, unknown> {
  const states = flags.state.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const state of states) if (!TASK_STATES.includes(state)) throw usageError(`--state ${state} is not a task state`, `use one of ${TASK_STATES.join(', ')}`);
  return { ...(states.length > 0 ? { states } : {}), ...(flags.agent ? { agent: flags.agent } : {}), ...(flags.kind ? { kind: flags.kind } : {}), ...(flags.tag ? { tag: flags.tag } : {}) };
}

function withFilters(command: Command): Command {
  return command
    .option('--state <state>', `only tasks in this state (repeat or comma-separate: ${TASK_STATES.join(', ')})`, collect, [])
    .option('--agent <name>', 'only tasks for this agent')
    .option('--kind <kind>', 'only tasks of this kind')
    .option('--tag <tag>', 'only tasks with this tag');
}

interface AttemptRow {
  attempt: number;
  claims: number;
  dispatcher: string;
  agentRevision?: number | null;
  sessionId?: string | null;
  runId?: string | null;
  startedAtMs: number;
  endedAtMs?: number | null;
  outcome: string;
  errorClass?: string | null;
  error?: string | null;
  usage?: { inputTokens: number; cachedInputTokens: number; cacheWriteTokens: number; outputTokens: number; reasoningTokens: number } | null;
  costUsd?: number | null;
  evidence: string[];
  retryAtMs?: number | null;
}

/** `tasks show`: the task, then one block per attempt. */
function showText(task: TaskRow & Record<string, any>, attempts: AttemptRow[], now: number): string {
  const lines = [`task ${task.taskId}`, `  state      ${task.state}${task.cancelRequested ? ' (cancel requested)' : ''}`, `  agent      ${task.agent}${task.model ? ` (model ${task.model.providerId}/${task.model.model})` : ''}`, `  kind       ${task.kind}`];
  if (task.subject) lines.push(`  subject    ${task.subject}`);
  if (task.source) lines.push(`  source     ${task.source}`);
  lines.push(`  priority   ${task.priority}`, `  attempts   ${task.attempts} of ${task.maxAttempts}`);
  if (task.state === 'scheduled' || task.state === 'queued') lines.push(`  next attempt at ${new Date(task.availableAtMs).toISOString()} (${relative(task.availableAtMs, now)})`);
  if (task.lease) lines.push(`  lease      ${task.lease.owner}, until ${new Date(task.lease.expiresAtMs).toISOString()}`);
  if (task.lastError) lines.push(`  last error ${task.lastError.class}: ${task.lastError.message}`);
  if (task.dedupeKey) lines.push(`  dedupe key ${task.dedupeKey}`);
  if (task.concurrencyKey) lines.push(`  concurrency key ${task.concurrencyKey}`);
  if (task.tags?.length) lines.push(`  tags       ${task.tags.join(', ')}`);
  lines.push(`  created    ${new Date(task.createdAtMs).toISOString()}`);
  if (task.finishedAtMs != null) lines.push(`  finished   ${new Date(task.finishedAtMs).toISOString()}`);
  if (task.payload !== undefined) lines.push(`  payload    ${JSON.stringify(task.payload)}`);
  if (attempts.length === 0) lines.push('', 'no attempts yet');
  for (const a of attempts) {
    lines.push('', `attempt ${a.attempt}: ${a.outcome}${a.errorClass ? ` (${a.errorClass})` : ''}${a.claims > 1 ? ` · claimed ${a.claims} times (a dispatcher died)` : ''}`);
    lines.push(`  dispatcher ${a.dispatcher}${a.agentRevision != null ? ` · agent revision ${a.agentRevision}` : ''}`);
    if (a.sessionId || a.runId) lines.push(`  session    ${a.sessionId ?? '-'} · run ${a.runId ?? '-'}`);
    lines.push(`  started    ${new Date(a.startedAtMs).toISOString()}${a.endedAtMs != null ? ` · ended ${new Date(a.endedAtMs).toISOString()} (${Math.max(0, a.endedAtMs - a.startedAtMs)} ms)` : ''}`);
    if (a.error) lines.push(`  error      ${a.error}`);
    if (a.usage) {
      const u = a.usage;
      lines.push(`  usage      ${u.inputTokens} in · ${u.cachedInputTokens} cached · ${u.cacheWriteTokens} cache-write · ${u.outputTokens} out (${u.reasoningTokens} reasoning)`);
    }
    if (a.costUsd != null) lines.push(`  cost       $${a.costUsd.toFixed(4)}`);
    if (a.evidence.length > 0) lines.push(`  evidence   ${a.evidence.join(', ')}`);
    if (a.retryAtMs != null) lines.push(`  next attempt at ${new Date(a.retryAtMs).toISOString()} (${relative(a.retryAtMs, now)})`);
  }
  return `${lines.join('\n')}\n`;
}

/** `lightspeed tasks add|list|show|cancel|retry|watch`: the task queue of the server's universe. */
export function registerTasks(program: Command, ctx: CommandContext): void {
  const tasks = program.command('tasks').description('the durable task queue: work for agents, run by the dispatcher (docs/tasks.md)');

  withServerOptions(
    tasks
      .command('add')
      .description('enqueue a task for an agent; the payload is checked against the agent task.schema')
      .argument('<agent>', 'the agent (profile) that runs it')
      .argument('[payload]', "the payload as JSON, e.g. '{\"issue\": 12}'")
      .option('--kind <kind>', 'what sort of work this is', 'manual')
      .option('--subject <text>', 'what it is about, shown in lists')
      .option('--source <text>', 'where it came from', 'cli')
      .option('--priority <n>', 'higher runs first (-1000..1000, default 0)')
      .option('--delay <duration>', 'not before this long from now (30s, 5m, 2h)')
      .option('--at <time>', 'not before this time (ISO 8601)')
      .option('--max-attempts <n>', 'attempts the agent may spend (1..100, default 3)')
      .option('--timeout <duration>', 'longest one attempt may run')
      .option('--dedupe-key <key>', 'while a task with this key waits or runs, return it instead')
      .option('--concurrency-key <key>', 'tasks sharing a key are limited together and share a fair turn')
      .option('--tag <tag>', 'a tag (repeatable)', collect, [])
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (agent: string, payloadText: string | undefined, flags: AddFlags) => {
    if (flags.delay !== undefined && flags.at !== undefined) throw usageError('--delay and --at are exclusive; give one');
    const at = flags.at === undefined ? undefined : Date.parse(flags.at);
    if (at !== undefined && !Number.isFinite(at)) throw usageError(`--at must be an ISO 8601 time such as 2026-12-03T09:00:00Z, got "${flags.at}"`);
    const params = {
      kind: flags.kind,
      agent,
      source: flags.source,
      ...(payloadText !== undefined ? { payload: parsePayload(payloadText) } : {}),
      ...(flags.subject ? { subject: flags.subject } : {}),
      ...(flags.priority !== undefined ? { priority: wholeNumber('--priority', flags.priority, -1000, 1000) } : {}),
      ...(flags.delay !== undefined ? { delayMs: parseDuration('--delay', flags.delay) } : {}),
      ...(at !== undefined ? { availableAtMs: at } : {}),
      ...(flags.maxAttempts !== undefined ? { maxAttempts: wholeNumber('--max-attempts', flags.maxAttempts, 1, 100) } : {}),
      ...(flags.timeout !== undefined ? { timeoutMs: parseDuration('--timeout', flags.timeout, 1) } : {}),
      ...(flags.dedupeKey ? { dedupeKey: flags.dedupeKey } : {}),
      ...(flags.concurrencyKey ? { concurrencyKey: flags.concurrencyKey } : {}),
      ...(flags.tag.length > 0 ? { tags: flags.tag } : {}),
    };
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ task: TaskRow; deduped: boolean }>('tasks/create', params);
      if (flags.json) return writeJson(ctx, result);
      const { task } = result;
      const when = task.state === 'scheduled' ? `, not before ${new Date(task.availableAtMs).toISOString()}` : '';
      ctx.io.stdout.write(result.deduped ? `${task.taskId} already ${task.state} (deduped by ${flags.dedupeKey})\n` : `${task.taskId} ${task.state} for agent ${task.agent}${when}\n`);
    });
  });

  withServerOptions(
    withFilters(tasks.command('list').description('list tasks, newest first'))
      .option('--limit <n>', 'tasks per page (1..1000)', '100')
      .option('--cursor <cursor>', 'continue after a previous page (printed at its end)')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: ServerFlags & ListFilterFlags & { limit: string; cursor?: string; json?: boolean }) => {
    const params = { ...listFilters(flags), limit: wholeNumber('--limit', flags.limit, 1, 1000), ...(flags.cursor ? { cursor: flags.cursor } : {}) };
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ tasks: TaskRow[]; nextCursor?: string | null }>('tasks/list', params);
      if (flags.json) return writeJson(ctx, result);
      if (result.tasks.length === 0) ctx.io.stderr.write('no tasks\n');
      else ctx.io.stdout.write(taskTable(result.tasks, Date.now()));
      if (result.nextCursor) ctx.io.stderr.write(`more: --cursor ${result.nextCursor}\n`);
    });
  });

  withServerOptions(tasks.command('show').description('a task with its payload and every attempt (session, run, outcome, error, usage, cost)').argument('<taskId>').option('--json', 'print the task and its attempts as JSON')).action(
    async (taskId: string, flags: ServerFlags & { json?: boolean }) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const { task } = await client.call<{ task: TaskRow & Record<string, any> }>('tasks/read', { taskId });
        const { attempts } = await client.call<{ attempts: AttemptRow[] }>('tasks/attempts/list', { taskId });
        if (flags.json) return writeJson(ctx, { task, attempts });
        ctx.io.stdout.write(showText(task, attempts, Date.now()));
      });
    },
  );

  withServerOptions(
    tasks
      .command('cancel')
      .description('cancel a waiting task now, or ask the dispatcher to cancel a running one')
      .argument('<taskId>')
      .option('--reason <text>', 'why (kept as the task error)')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (taskId: string, flags: ServerFlags & { reason?: string; json?: boolean }) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ task: TaskRow }>('tasks/cancel', { taskId, ...(flags.reason ? { reason: flags.reason } : {}) });
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(result.task.state === 'cancelled' ? `${taskId} cancelled\n` : `${taskId} is running: cancel requested, the dispatcher stops its run\n`);
    });
  });

  withServerOptions(tasks.command('retry').description('run a failed, blocked or cancelled task again now').argument('<taskId>').option('--json', 'print the JSON-RPC result')).action(
    async (taskId: string, flags: ServerFlags & { json?: boolean }) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ task: TaskRow }>('tasks/retry', { taskId });
        if (flags.json) return writeJson(ctx, result);
        ctx.io.stdout.write(`${taskId} ${result.task.state} (attempt ${result.task.attempts + 1} of ${result.task.maxAttempts})\n`);
      });
    },
  );

  withServerOptions(
    withFilters(tasks.command('watch').description('a live table of tasks, updated from the task event stream (Ctrl-C to stop)')).option('--limit <n>', 'rows to show (1..1000)', '30'),
  ).action(async (flags: ServerFlags & ListFilterFlags & { limit: string }) => {
    ctx.handlesInterrupt = true;
    const filters = listFilters(flags);
    const limit = wholeNumber('--limit', flags.limit, 1, 1000);
    await withConnection(flags, ctx, { requireModel: false }, ({ client }) => watchTasks(client, ctx, { filters, limit }));
  });
}
