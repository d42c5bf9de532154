import type { Command } from 'commander';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

type Flags = { json?: boolean; reason?: string; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

export interface WaitView {
  promiseId: string;
  kind: string;
  runId: string;
  toolName?: string | null;
  preview?: string | null;
  question?: string | null;
  choices?: string[] | null;
  arguments?: string | null;
  argumentsTruncated?: boolean | null;
  createdAtMs: number;
  deadlineMs?: number | null;
}

/** One wait as a line: id, kind, what it waits for, and until when. */
export function waitLine(wait: WaitView): string {
  const what = wait.question
    ? `${wait.question}${wait.choices ? ` [${wait.choices.join(' | ')}]` : ''}`
    : wait.kind === 'approval'
      ? `${wait.toolName ?? wait.preview ?? ''}(${wait.arguments ?? ''}${wait.argumentsTruncated ? '…' : ''})`
      : (wait.preview ?? wait.toolName ?? '');
  const until = wait.deadlineMs != null ? `\tuntil ${new Date(wait.deadlineMs).toISOString()}` : '';
  return `${wait.promiseId}\t${wait.kind}\t${what.replace(/\s+/g, ' ')}${until}`;
}

/** `lightspeed waits list|answer|fail|cancel`: the questions and timers a session waits on. */
export function registerWaits(program: Command, ctx: CommandContext): void {
  const waits = program.command('waits').description("a session's open waits: questions to answer, timers, approvals");
  withServerOptions(waits.command('list').description('list what a session waits on, oldest first').argument('<sessionId>').option('--json', 'print the JSON-RPC result')).action(
    async (sessionId: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ waits: WaitView[] }>('session/waits/list', { sessionId });
        if (flags.json) return writeJson(ctx, result);
        if (result.waits.length === 0) ctx.io.stderr.write(`session ${sessionId} waits on nothing\n`);
        for (const wait of result.waits) ctx.io.stdout.write(`${waitLine(wait)}\n`);
      });
    },
  );
  withServerOptions(
    waits
      .command('answer')
      .description('answer a question (or resolve any wait); the model receives the answer as the tool result')
      .argument('<sessionId>')
      .argument('<promiseId>')
      .argument('<answer...>', 'the answer text (one of the choices, if the question offers some)')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, promiseId: string, words: string[], flags: Flags) => {
    await resolveWait(ctx, flags, 'session/waits/resolve', { sessionId, promiseId, answer: words.join(' ') });
  });
  withServerOptions(
    waits
      .command('approve')
      .description('approve a tool call that waits for approval; it runs now')
      .argument('<sessionId>')
      .argument('<promiseId>')
      .option('--always', 'also approve every later call of this tool in the session')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, promiseId: string, flags: Flags & { always?: boolean }) => {
    await resolveWait(ctx, flags, 'session/waits/resolve', { sessionId, promiseId, ...(flags.always ? { forSession: true } : {}) });
  });
  withServerOptions(
    waits
      .command('deny')
      .description('deny a tool call that waits for approval; the model is told (with the reason, if given)')
      .argument('<sessionId>')
      .argument('<promiseId>')
      .argument('[reason...]')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, promiseId: string, words: string[], flags: Flags) => {
    const reason = words.join(' ').trim();
    await resolveWait(ctx, flags, reason ? 'session/waits/fail' : 'session/waits/cancel', { sessionId, promiseId, ...(reason ? { reason } : {}) });
  });
  withServerOptions(
    waits
      .command('fail')
      .description('end a wait with a reason; the model receives it as an error result')
      .argument('<sessionId>')
      .argument('<promiseId>')
      .argument('<reason...>')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, promiseId: string, words: string[], flags: Flags) => {
    await resolveWait(ctx, flags, 'session/waits/fail', { sessionId, promiseId, reason: words.join(' ') });
  });
  withServerOptions(
    waits
      .command('cancel')
      .description('end a wait unanswered; the run continues, told that no answer will come')
      .argument('<sessionId>')
      .argument('<promiseId>')
      .option('--reason <text>', 'what the model is told instead of the default note')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sessionId: string, promiseId: string, flags: Flags) => {
    await resolveWait(ctx, flags, 'session/waits/cancel', { sessionId, promiseId, ...(flags.reason ? { reason: flags.reason } : {}) });
  });
}

async function resolveWait(ctx: CommandContext, flags: Flags, method: string, params: Record<string, string | boolean>): Promise<void> {
  await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
    const result = await client.call<{ promiseId: string; resolution: string }>(method, params);
    if (flags.json) return writeJson(ctx, result);
    ctx.io.stdout.write(`${result.promiseId}: ${result.resolution}\n`);
  });
}
