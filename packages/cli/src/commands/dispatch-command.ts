import type { Command } from 'commander';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

type Flags = { json?: boolean; agent?: string; reason?: string; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

interface PauseView {
  agent?: string | null;
  reason?: string | null;
  pausedBy?: string | null;
  pausedAtMs: number;
}

interface DispatchStatusView {
  paused: boolean;
  pauses: PauseView[];
  counts: Record<string, number>;
  expiredLeases: number;
  cancelRequested: number;
  oldestQueuedAgeMs?: number | null;
  dispatchers: { id: string; startedAtMs: number; heartbeatAtMs: number; inFlight: number; lastError?: { message: string; atMs: number } | null }[];
  lastError?: { dispatcher: string; message: string; atMs: number } | null;
}

function pauseLine(pause: PauseView): string {
  const what = pause.agent ? `agent ${pause.agent}` : 'universe';
  return `paused\t${what}\tsince ${new Date(pause.pausedAtMs).toISOString()}${pause.pausedBy ? ` by ${pause.pausedBy}` : ''}${pause.reason ? `\t${pause.reason}` : ''}`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** The status as lines: depth by state, pauses, dispatchers alive, the last error. */
export function statusLines(status: DispatchStatusView): string[] {
  const states = ['queued', 'scheduled', 'running', 'succeeded', 'failed', 'blocked', 'cancelled'];
  const lines = [states.map((state) => `${state} ${status.counts[state] ?? 0}`).join(' · ')];
  lines.push(`oldest queued ${status.oldestQueuedAgeMs != null ? seconds(status.oldestQueuedAgeMs) : '-'} · expired leases ${status.expiredLeases} · cancels pending ${status.cancelRequested}`);
  lines.push(status.pauses.length === 0 ? 'dispatch running (nothing paused)' : status.pauses.map(pauseLine).join('\n'));
  lines.push(`${status.dispatchers.length} dispatcher(s) alive${status.dispatchers.length === 0 ? ': queued tasks will not start until one runs (lightspeed serve, or lightspeed worker)' : ''}`);
  for (const d of status.dispatchers) lines.push(`  ${d.id}\t${d.inFlight} in flight\tup since ${new Date(d.startedAtMs).toISOString()}`);
  if (status.lastError) lines.push(`last error (${status.lastError.dispatcher}, ${new Date(status.lastError.atMs).toISOString()}): ${status.lastError.message}`);
  return lines;
}

/** `lightspeed dispatch pause|resume|status`: operator controls of the task dispatchers. */
export function registerDispatch(program: Command, ctx: CommandContext): void {
  const dispatch = program.command('dispatch').description('pause, resume and inspect task dispatch (durable, per universe or per agent)');
  withServerOptions(
    dispatch
      .command('pause')
      .description('stop starting tasks of the universe (or of one agent with --agent); running tasks go on')
      .option('--agent <name>', "pause only this agent's tasks")
      .option('--reason <text>', 'shown by dispatch status')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ pause: PauseView }>('dispatch/pause', { ...(flags.agent ? { agent: flags.agent } : {}), ...(flags.reason ? { reason: flags.reason } : {}) });
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`${pauseLine(result.pause)}\n`);
    });
  });
  withServerOptions(
    dispatch
      .command('resume')
      .description('start tasks again (the universe, or one agent with --agent)')
      .option('--agent <name>', 'resume only this agent')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ resumed: boolean }>('dispatch/resume', flags.agent ? { agent: flags.agent } : {});
      if (flags.json) return writeJson(ctx, result);
      const what = flags.agent ? `agent ${flags.agent}` : 'universe';
      ctx.io.stdout.write(result.resumed ? `resumed ${what}\n` : `${what} was not paused\n`);
    });
  });
  withServerOptions(dispatch.command('status').description('queue depth by state, oldest queued age, pauses, dispatchers alive, last error').option('--json', 'print the JSON-RPC result')).action(
    async (flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<DispatchStatusView>('dispatch/status', {});
        if (flags.json) return writeJson(ctx, result);
        ctx.io.stdout.write(`${statusLines(result).join('\n')}\n`);
      });
    },
  );
}
