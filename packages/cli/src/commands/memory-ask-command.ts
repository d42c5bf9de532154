import { resolve } from 'node:path';
import { agentProfile } from '@lightspeed/agents';
import type { Command } from 'commander';
import { followRun } from '../chat/run-follower.js';
import type { TurnObserver } from '../chat/turn-observer.js';
import { EXIT, usageError } from '../cli-error.js';
import { projectAgent } from './agents-command.js';
import { withConnection, withModelOptions, withServerOptions, writeJson, type CommandContext } from './command-context.js';

/*
 * `lightspeed memory ask "…"` (issue 17): memory/answer runs the answer agent as an ordinary run
 * in a new session; the command follows that run on the live stream like `chat` (tool calls on
 * stderr), then prints the verified answer: invalid citations removed, each dropped one reported.
 */

type Flags = { json?: boolean; agent?: string; project?: string; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string; provider?: string; model?: string };

interface Answer {
  sessionId: string;
  runId: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  answer: string;
  citations: { id: string; kind: string; callIds: string[] }[];
  droppedCitations: { id: string; reason: string }[];
  grounded: boolean;
  error?: string | null;
}

const ANSWER_AGENT = 'answer';
const RUN_EXIT = { completed: EXIT.ok, failed: EXIT.failed, cancelled: EXIT.interrupted, queued: EXIT.failed, running: EXIT.failed } as const;

/** Tool calls and their outcomes on stderr; the model's raw text is not shown (its citations are not checked yet). */
function progress(stderr: NodeJS.WritableStream): TurnObserver {
  return {
    text: () => undefined,
    toolCall: (call) => stderr.write(`→ ${call.name} ${call.argsPreview}\n`),
    toolResult: (result) => stderr.write(`  ${result.status === 'succeeded' ? '✓' : '✗'} ${result.name} ${result.status}\n`),
  };
}

export function registerMemoryAsk(memory: Command, ctx: CommandContext): void {
  const ask = memory
    .command('ask')
    .description('answer a question from memory, citing the events it retrieved (memory/answer)')
    .argument('<question...>', 'the question')
    .option('--agent <name>', `the answering agent: .lightspeed/agents/NAME.md or a stored profile (default: ${ANSWER_AGENT}, the project's file of that name or else the shipped one)`)
    .option('--project <dir>', 'project directory whose .lightspeed/agents/ holds agent files (default: the current directory)')
    .option('--json', 'print the memory/answer result as JSON (no progress)');
  withModelOptions(withServerOptions(ask)).action(async (words: string[], flags: Flags) => {
    const question = words.join(' ').trim();
    if (!question) throw usageError('memory ask needs a question');
    const name = flags.agent ?? ANSWER_AGENT;
    // Checked before anything starts; the project's file is stored as the profile of its name, as chat --agent does.
    const file = await projectAgent(resolve(ctx.io.cwd, flags.project ?? '.'), name);
    const remote = Boolean(flags.apiUrl ?? ctx.io.env.LIGHTSPEED_API_URL);
    await withConnection(flags, ctx, { requireModel: !remote }, async ({ client }) => {
      if (file) await client.call('profiles/put', { profile: agentProfile(file) });
      const started = await client.call<Answer>('memory/answer', { question, waitMs: 0, ...(flags.agent ? { agent: flags.agent } : {}) });
      ctx.handlesInterrupt = true;
      const cancel = () => void client.call('session/runs/cancel', { sessionId: started.sessionId, runId: started.runId }).catch(() => undefined);
      ctx.signal.addEventListener('abort', cancel, { once: true });
      try {
        await followRun(client, started.sessionId, started.runId, flags.json ? { text: () => undefined, toolCall: () => undefined, toolResult: () => undefined } : progress(ctx.io.stderr));
      } finally {
        ctx.signal.removeEventListener('abort', cancel);
      }
      const result = await client.call<Answer>('memory/answers/read', { sessionId: started.sessionId, runId: started.runId });
      ctx.exitCode = RUN_EXIT[result.status];
      if (flags.json) return writeJson(ctx, result);
      if (result.status !== 'completed') {
        ctx.io.stderr.write(`the answer run ${result.status}${result.error ? `: ${result.error}` : ''}\n`);
        return;
      }
      ctx.io.stdout.write(`${result.answer}\n`);
      if (result.citations.length > 0) ctx.io.stdout.write(`\ncitations: ${result.citations.map((c) => c.id).join(', ')}\n`);
      for (const dropped of result.droppedCitations) ctx.io.stderr.write(`dropped citation ${dropped.id} (${dropped.reason === 'not_found' ? 'no such id in this universe' : 'no tool result of this run showed it'})\n`);
      if (!result.grounded) ctx.io.stderr.write('no valid citation: memory does not support this answer\n');
      ctx.io.stderr.write(`session ${result.sessionId} · run ${result.runId}\n`);
    });
  });
}
