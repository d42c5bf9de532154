import { resolve } from 'node:path';
import { agentProfile } from '@lightspeed/agents';
import { REASONING_EFFORTS } from '@lightspeed/llm';
import type { Command } from 'commander';
import { interactiveChat } from '../chat/interactive-chat.js';
import { explainRefusal, limitFlagHint } from '../chat/chat-refusals.js';
import { openChatSession } from '../chat/chat-session.js';
import { parseChatSettings, type ChatSettingFlags } from '../chat/chat-settings.js';
import { startRun } from '../chat/run-follower.js';
import { usageLine } from '../chat/usage-line.js';
import { PROMPTED_KINDS, replyFromInput, withWaitHooks } from '../chat/wait-prompt.js';
import { JsonLinesRenderer, TerminalRenderer } from '../chat/terminal-renderer.js';
import { EXIT, usageError } from '../cli-error.js';
import { MEMORY_DATA_DIR } from '../runtime/data-dir.js';
import { projectAgent } from './agents-command.js';
import { withConnection, withModelOptions, withServerOptions, type CommandContext } from './command-context.js';

interface ChatFlags extends ChatSettingFlags {
  new?: boolean;
  session?: string;
  json?: boolean;
  mount?: string;
  mcp: string[];
  agent?: string;
  project?: string;
  apiUrl?: string;
  apiKey?: string;
  dataDir?: string;
  engine?: string;
  provider?: string;
  model?: string;
  fakeLatencyMs?: string;
}

const RUN_EXIT = { completed: EXIT.ok, failed: EXIT.failed, cancelled: EXIT.interrupted } as const;

export function registerChat(program: Command, ctx: CommandContext): void {
  const chat = program
    .command('chat')
    .description('chat with an agent: interactive without a message, one-shot with one')
    .argument('[message...]', 'send this message, print the answer and exit')
    .option('--new', 'start a new session (the default unless --session is given)')
    .option('--session <id>', 'continue an existing session')
    .option('--json', 'one-shot: print events as JSON lines and a final JSON result')
    .option('--mount <dir>', 'snapshot a local directory into a writable workspace at /workspace and grant the file tools')
    .option('--mcp <serverId>', 'link a registered MCP server (see `lightspeed mcp servers`); repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--agent <name>', 'start from the agent .lightspeed/agents/NAME.md (stored on the server as profile NAME), or a profile the server already stores')
    .option('--project <dir>', 'project directory whose .lightspeed/agents/ holds agent files (default: the current directory)')
    .option('--instructions <file>', "the session's instructions, read from FILE (replaces an agent's)")
    .option('--reasoning-effort <level>', `generation.reasoningEffort: ${REASONING_EFFORTS.join(' | ')}`)
    .option('--max-turns <n>', 'limits.maxTurns: most model calls per run (a run that needs more fails, naming the limit)')
    .option('--budget-usd <usd>', 'limits.costBudgetUsd: most US dollars per run; needs a model with prices')
    .option('--host-dir <dir>', 'give the session the file tools over this real directory (features.host); the local server allows it, a remote one decides')
    .option('--exec', 'with --host-dir: also the exec tool, running commands in that directory')
    .option('--ask-user', 'let the agent ask you questions (ask_user); the chat shows each and takes your answer')
    .option('--timers', 'let the agent wait durably (sleep, wait_until)')
    .option('--ask-before <tool>', 'ask for your approval before each call of this tool (a name or a pattern such as mcp__github__*); repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  lightspeed chat --provider fake --mount . "list files"',
        '  lightspeed chat --agent reviewer --mount . "review the last commit"',
        '  OPENAI_API_KEY=… lightspeed chat --mount .',
        '  lightspeed chat --session ses_… "and now?"',
        '  lightspeed chat --instructions AGENTS.md --reasoning-effort high --max-turns 20 --budget-usd 0.50 "fix the failing test"',
        '  lightspeed chat --host-dir . --exec "run the tests and summarise the failures"',
        '  lightspeed chat --ask-user "plan the release; ask me before anything irreversible"',
        '',
        'The settings flags (--instructions, --reasoning-effort, --max-turns, --budget-usd, --host-dir/--exec)',
        "override the same members of an --agent's file; with --session they update that session's config",
        '(and instructions) for its later runs too.',
      ].join('\n'),
    );
  withModelOptions(withServerOptions(chat));
  // Test and demo knob: makes the fake provider's tokens visibly stream.
  chat.option('--fake-latency-ms <ms>', 'delay between the fake provider\'s streamed events (default: 15 interactive, 5 one-shot)');
  chat.action(async (words: string[], flags: ChatFlags) => {
    if (flags.new && flags.session) throw usageError('--new and --session exclude each other');
    if (flags.agent && flags.session) throw usageError('--agent starts a new session; it excludes --session');
    // Validated before anything starts: a bad agent file is reported with its lines, not at the first run.
    const agent = flags.agent ? await projectAgent(resolve(ctx.io.cwd, flags.project ?? '.'), flags.agent) : undefined;
    const message = words.join(' ').trim();
    if (flags.json && !message) throw usageError('--json needs a message (one-shot mode)');
    // Interactive chat streams at a readable pace; one-shot output should not be held back much.
    const fakeLatencyMs = Number(flags.fakeLatencyMs ?? (words.length > 0 ? 5 : 15));
    if (!Number.isInteger(fakeLatencyMs) || fakeLatencyMs < 0) throw usageError('--fake-latency-ms must be a non-negative integer');
    const remote = Boolean(flags.apiUrl ?? ctx.io.env.LIGHTSPEED_API_URL);
    const settings = await parseChatSettings(flags, ctx.io.cwd, !remote);
    // An existing session already has a model; only new sessions need one chosen here.
    const requireModel = !flags.session && !remote;
    // The in-process server grants host tools only to the chat that asks for them.
    const allowHostTools = settings.host !== undefined;
    await withConnection(flags, ctx, { requireModel, fakeLatencyMs, allowHostTools }, async ({ client, defaultModel, stack }) => {
      if (flags.session && stack && !stack.fake) {
        // The fake provider only exists while a CLI process hosts it, so a fake session needs it again.
        const { session } = await client.call('session/read', { sessionId: flags.session }).catch(() => ({ session: undefined as any }));
        if (session?.config?.model?.providerId === 'fake') throw usageError(`session ${flags.session} uses the scripted fake provider`, `add --provider fake to continue it`);
      }
      // The file is stored as the profile of the same name (an unchanged file keeps its revision), so
      // the session's log pins the exact revision it started from.
      if (agent) {
        try {
          await client.call('profiles/put', { profile: agentProfile(agent) });
        } catch (error) {
          // The server checks its policy (host tools) on the stored profile too.
          throw explainRefusal(error, settings);
        }
      }
      const opened = await openChatSession(
        client,
        {
          ...(flags.session ? { sessionId: flags.session } : {}),
          ...(flags.mount ? { mount: flags.mount } : {}),
          ...(defaultModel ? { model: defaultModel } : {}),
          ...(flags.agent ? { agent: flags.agent } : {}),
          ...(flags.mcp.length > 0 ? { mcpServers: flags.mcp } : {}),
          settings,
        },
        ctx.io,
      );
      if (!message) {
        ctx.exitCode = await interactiveChat(client, opened, ctx.io);
        return;
      }
      const renderer = flags.json ? new JsonLinesRenderer(ctx.io.stdout) : new TerminalRenderer(ctx.io.stdout);
      // A question or approval the agent waits on is answered from stdin (a terminal or a pipe), one line each.
      const observer = withWaitHooks(renderer, {
        waitOpened: (wait) => {
          if (PROMPTED_KINDS.has(wait.waitKind)) void replyFromInput(client, opened.sessionId, wait.promiseId, ctx.io, remote);
        },
      });
      const run = await startRun(client, opened.sessionId, message, observer);
      // Ctrl-C cancels the run (durably) and the command ends with the cancelled result; twice exits.
      ctx.handlesInterrupt = true;
      const cancel = () => void client.call('session/runs/cancel', { sessionId: opened.sessionId, runId: run.runId }).catch(() => undefined);
      ctx.signal.addEventListener('abort', cancel, { once: true });
      const result = await run.done.finally(() => ctx.signal.removeEventListener('abort', cancel));
      renderer.finish(result);
      if (!flags.json) {
        const limitHint = result.status === 'failed' ? limitFlagHint(result.error, settings) : undefined;
        if (limitHint) ctx.io.stderr.write(`  hint: ${limitHint}\n`);
        // Beside the session line on stderr: stdout stays the answer alone, for pipes.
        ctx.io.stderr.write(`${usageLine('usage', result.usage)}\n`);
        const next = flags.dataDir === MEMORY_DATA_DIR && !flags.apiUrl ? 'kept in memory only: gone now' : `continue with: ${continueCommand(flags, opened.sessionId)}`;
        ctx.io.stderr.write(`session ${opened.sessionId} · ${next}\n`);
      }
      ctx.exitCode = RUN_EXIT[result.status];
    });
  });
}

/** The command that continues this session with the same server choice. */
function continueCommand(flags: ChatFlags, sessionId: string): string {
  const words = ['lightspeed', 'chat'];
  if (flags.apiUrl) words.push('--api-url', flags.apiUrl);
  else {
    if (flags.dataDir) words.push('--data-dir', flags.dataDir);
    if (flags.provider === 'fake') words.push('--provider', 'fake');
  }
  words.push('--session', sessionId, '"…"');
  return words.join(' ');
}
