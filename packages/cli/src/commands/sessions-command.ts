import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

type Flags = { json?: boolean; force?: boolean; limit?: string; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A readable transcript line for a context entry. */
function entryLine(entry: any): string | undefined {
  const body = oneLine(entry.text ?? entry.preview ?? '');
  switch (entry.kind?.type) {
    case 'message':
      return `${entry.kind.role === 'user' ? 'user' : 'assistant'}: ${body}`;
    case 'toolCall':
      return `  > tool ${oneLine(entry.preview ?? entry.kind.name)}`;
    case 'toolResult':
      return `  < ${entry.kind.isError ? 'error' : 'result'}: ${body}`;
    case 'instructions':
      return `instructions: ${body}`;
    default:
      return undefined;
  }
}

export function registerSessions(program: Command, ctx: CommandContext): void {
  const sessions = program.command('sessions').description('list and read sessions');
  withServerOptions(
    sessions
      .command('list')
      .description('list sessions, most recent first')
      .option('--limit <n>', 'how many', '50')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: Flags) => {
    const limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1) throw usageError('--limit must be a positive integer');
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ sessions: any[]; nextCursor?: string | null }>('session/list', { limit });
      if (flags.json) return writeJson(ctx, result);
      if (result.sessions.length === 0) ctx.io.stderr.write('no sessions yet; start one with `lightspeed chat`\n');
      for (const session of result.sessions) {
        ctx.io.stdout.write(`${session.id}\t${session.lifecycleStatus}\t${new Date(session.updatedAtMs).toISOString()}${session.displayName ? `\t${session.displayName}` : ''}\n`);
      }
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
        const line = entryLine(entry);
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
}

export function registerRuns(program: Command, ctx: CommandContext): void {
  const runs = program.command('runs').description('act on runs');
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
