import { transcriptLine } from '@lightspeed/api';
import type { Command } from 'commander';
import { CliError, EXIT, usageError } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';
import { registerSessionConfig } from './session-config-command.js';
import { registerSessionSkills } from './session-skills-command.js';

type Flags = { json?: boolean; force?: boolean; limit?: string; search?: string; status?: string; agent?: string; model?: string; cursor?: string; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function registerSessions(program: Command, ctx: CommandContext): void {
  const sessions = program.command('sessions').description('list, read, configure, close and delete sessions; their skills');
  withServerOptions(
    sessions
      .command('list')
      .description('list sessions, most recent first')
      .option('--limit <n>', 'how many', '50')
      .option('--search <text>', 'only sessions whose name, id or agent contains this text')
      .option('--status <status>', 'only idle, active or closed sessions')
      .option('--agent <profileId>', 'only sessions started from this agent')
      .option('--model <model>', 'only sessions on this model (`model` or `provider/model`)')
      .option('--cursor <cursor>', 'the next page (printed as `next: …` after a full page)')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: Flags) => {
    const limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1) throw usageError('--limit must be a positive integer');
    if (flags.status !== undefined && !['idle', 'active', 'closed'].includes(flags.status)) throw usageError('--status must be idle, active or closed');
    const filter = { search: flags.search, status: flags.status, agent: flags.agent, model: flags.model, cursor: flags.cursor };
    const params = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ sessions: any[]; nextCursor?: string | null }>('session/list', { limit, ...params });
      if (flags.json) return writeJson(ctx, result);
      const filtered = Object.keys(params).some((name) => name !== 'cursor');
      if (result.sessions.length === 0) ctx.io.stderr.write(filtered ? 'no sessions match\n' : 'no sessions yet; start one with `lightspeed chat`\n');
      for (const session of result.sessions) {
        ctx.io.stdout.write(`${session.id}\t${session.lifecycleStatus}\t${new Date(session.updatedAtMs).toISOString()}${session.displayName ? `\t${session.displayName}` : ''}\n`);
      }
      if (result.nextCursor) ctx.io.stderr.write(`next: --cursor ${result.nextCursor}\n`);
    });
  });
  withServerOptions(
    sessions
      .command('read')
      .description('show a session: status, model, runs and the conversation')
      .argument('<sessionId>')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ session: any }>('session/read', { sessionId });
      if (flags.json) return writeJson(ctx, result);
      const session = result.session;
      const model = session.config?.model;
      const out = (line: string) => ctx.io.stdout.write(`${line}\n`);
      out(`session ${session.id} · ${session.status}${model ? ` · ${model.providerId}/${model.model}` : ''}${session.profile ? ` · agent ${session.profile.profileId} revision ${session.profile.revision}` : ''}`);
      for (const run of session.runs ?? []) out(`run ${run.id}: ${run.status}`);
      out('');
      for (const entry of session.activeContext?.entries ?? []) {
        const line = transcriptLine(entry);
        if (line) out(line);
      }
    });
  });
  withServerOptions(
    sessions
      .command('close')
      .description('close a session (refused while a run is active unless --force)')
      .argument('<sessionId>')
      .option('--force', 'cancel the active run and drop queued runs first')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ session: any }>('session/close', { sessionId, force: flags.force === true });
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`session ${result.session.id}: ${result.session.status}\n`);
    });
  });
  withServerOptions(
    sessions
      .command('delete')
      .description('delete a closed session: its log and projections')
      .argument('<sessionId>')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ session: any }>('session/delete', { sessionId });
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`session ${result.session.id}: deleted\n`);
    });
  });
  registerSessionConfig(sessions, ctx);
  registerSessionSkills(sessions, ctx);
}

/** Tokens and cost of a run's usage view, one line (`cost unknown` when the model has no prices). */
function usageLine(usage: any): string {
  if (!usage) return 'usage: none recorded';
  const n = (value: number) => value.toLocaleString('en-US');
  const cost = usage.costUsd == null ? 'cost unknown' : `$${usage.costUsd.toFixed(4)}`;
  return `usage: ${n(usage.inputTokens)} in (${n(usage.cachedInputTokens)} cached, ${n(usage.cacheWriteTokens)} cache-write) · ${n(usage.outputTokens)} out (${n(usage.reasoningTokens)} reasoning) · ${usage.calls} calls · ${cost}`;
}

/** What started a run, shortened: its input (as the run's first user message shows it), or the context keys it ran on. */
function runSource(run: any): string {
  if (run.source?.type === 'context') return `context ${run.source.keys.join(', ')}`;
  const input = (run.entries ?? []).find((entry: any) => entry.kind?.type === 'message' && entry.kind.role === 'user');
  const text = input ? (input.text ?? input.preview ?? '') : (run.source?.items ?? []).map((item: any) => (item.type === 'text' ? item.text : `[${item.type}]`)).join(' ');
  return oneLine(text, 80);
}

/** The contract has no run methods beyond start/cancel/steer: runs are read from session/read. */
async function readRuns(client: { call<T>(method: string, params: Record<string, unknown>): Promise<T> }, sessionId: string): Promise<any[]> {
  return (await client.call<{ session: { runs?: any[] } }>('session/read', { sessionId })).session.runs ?? [];
}

export function registerRuns(program: Command, ctx: CommandContext): void {
  const runs = program.command('runs').description("list, read and cancel a session's runs");
  const out = (line: string) => ctx.io.stdout.write(`${line}\n`);
  withServerOptions(runs.command('list').description("a session's runs, oldest first: id, status, what started it").argument('<sessionId>').option('--json', 'print the runs as JSON')).action(
    async (sessionId: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const list = await readRuns(client, sessionId);
        if (flags.json) return writeJson(ctx, { sessionId, runs: list });
        if (list.length === 0) ctx.io.stderr.write(`session ${sessionId} has no runs yet\n`);
        for (const run of list) out(`${run.id}\t${run.status}\t${runSource(run)}`);
      });
    },
  );
  withServerOptions(
    runs.command('read').description('one run: status, why it failed, usage and cost, and its transcript').argument('<sessionId>').argument('<runId>').option('--json', 'print the run as JSON'),
  ).action(async (sessionId: string, runId: string, flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const list = await readRuns(client, sessionId);
      const run = list.find((candidate) => candidate.id === runId);
      if (!run) throw new CliError(`session ${sessionId} has no run ${runId}`, EXIT.failed, `list its runs with: lightspeed runs list ${sessionId}`);
      if (flags.json) return writeJson(ctx, { sessionId, run });
      out(`run ${run.id} · ${run.status}`);
      if (run.failure) out(`failed: ${run.failure.code}${run.failure.limit ? ` (${run.failure.limit}${run.failure.max !== undefined ? `, max ${run.failure.max}` : ''}${run.failure.used != null ? `, used ${run.failure.used}` : ''})` : ''}: ${oneLine(run.failure.message)}`);
      out(usageLine(run.usage));
      out('');
      for (const entry of run.entries ?? []) {
        const line = transcriptLine(entry);
        if (line) out(line);
      }
    });
  });
  withServerOptions(runs.command('cancel').description('cancel a run').argument('<sessionId>').argument('<runId>').option('--json', 'print the JSON-RPC result')).action(
    async (sessionId: string, runId: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ run: { id: string; status: string } }>('session/runs/cancel', { sessionId, runId });
        if (flags.json) return writeJson(ctx, result);
        ctx.io.stdout.write(`run ${result.run.id}: ${result.run.status}\n`);
      });
    },
  );
}
