import { createInterface } from 'node:readline';
import type { RpcClient } from '../client/rpc-client.js';
import { describeFailure } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { startRun, type ActiveRun } from './run-follower.js';
import { CHAT_HELP, parseChatInput } from './slash-commands.js';
import { TerminalRenderer } from './terminal-renderer.js';
import { usageLine, type UsageFigures } from './usage-line.js';
import type { WaitView } from '../commands/waits-command.js';
import { openPrompt, PROMPTED_KINDS, promptLines, sendReply, withWaitHooks } from './wait-prompt.js';

interface ChatState {
  sessionId: string;
  model?: string;
  active?: ActiveRun;
  /** From the moment a message is sent until its run ends (the run id is known a little later). */
  busy: boolean;
  /** A question or tool approval the agent waits on: the next message line answers it. */
  question?: WaitView;
}

/**
 * The interactive loop: reads lines while a run streams, so /cancel and /steer act on the
 * running run. Ends on /quit or end of input (after the running run finishes).
 */
export async function interactiveChat(client: RpcClient, start: { sessionId: string; model?: string }, io: CliIo): Promise<number> {
  const state: ChatState = { busy: false, sessionId: start.sessionId, ...(start.model ? { model: start.model } : {}) };
  const out = io.stdout;
  const say = (line: string) => out.write(`${line}\n`);
  const interactive = io.stdin.isTTY === true;
  const rl = createInterface({ input: io.stdin, output: out, terminal: interactive && out.isTTY === true, prompt: 'you> ' });
  let closing = false;
  say(`session ${state.sessionId}${state.model ? ` · model ${state.model}` : ''} · /help for commands`);
  rl.prompt();

  // Piped input waits for the run to end or to ask something before it reads the next line.
  let waiters: (() => void)[] = [];
  const wake = () => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };
  const settled = () => new Promise<void>((resolve) => (!state.busy || state.question ? resolve() : waiters.push(resolve)));

  const ask = async (promiseId: string) => {
    const wait = await openPrompt(client, state.sessionId, promiseId).catch(() => undefined);
    if (!wait) return;
    state.question = wait;
    out.write(promptLines(wait));
    wake();
    if (interactive && !closing) rl.prompt();
  };

  const answer = async (text: string) => {
    const question = state.question!;
    try {
      const done = await sendReply(client, state.sessionId, question, text);
      if (state.question === question) delete state.question;
      say(`(${done})`);
    } catch (error) {
      say(`error: ${describeFailure(error).message}`);
    }
  };

  const runMessage = async (text: string) => {
    const renderer = new TerminalRenderer(out);
    const observer = withWaitHooks(renderer, {
      waitOpened: (wait) => {
        if (PROMPTED_KINDS.has(wait.waitKind)) void ask(wait.promiseId);
      },
      waitClosed: (promiseId) => {
        if (state.question?.promiseId === promiseId) delete state.question;
      },
    });
    const active = await startRun(client, state.sessionId, text, observer);
    state.active = active;
    try {
      renderer.finish(await active.done);
    } finally {
      if (state.active === active) delete state.active;
    }
  };

  const handle = async (line: string): Promise<boolean> => {
    const input = parseChatInput(line);
    switch (input.type) {
      case 'empty':
        return true;
      case 'quit':
        return false;
      case 'help':
        say(CHAT_HELP);
        return true;
      case 'invalid':
        say(input.message);
        return true;
      case 'message':
        // Piped input is a script: each line waits for the previous answer, or answers its question.
        if (!interactive) await settled();
        if (state.question) {
          await answer(input.text);
          if (!interactive) await settled();
          return true;
        }
        if (state.busy) {
          say('a run is in progress: /steer <text> to guide it, /cancel to stop it');
          return true;
        }
        state.busy = true;
        void runMessage(input.text)
          .catch((error) => say(`error: ${describeFailure(error).message}`))
          .finally(() => {
            state.busy = false;
            wake();
            if (interactive && !closing) rl.prompt();
          });
        if (!interactive) await settled();
        return true;
      case 'cancel':
        if (!state.active) say('no run is in progress');
        else await client.call('session/runs/cancel', { sessionId: state.sessionId, runId: state.active.runId });
        return true;
      case 'steer':
        if (!state.active) say('no run is in progress; type a message to start one');
        else {
          await client.call('session/runs/steer', { sessionId: state.sessionId, runId: state.active.runId, items: [{ type: 'text', text: input.text }] });
          say('(steering accepted)');
        }
        return true;
      case 'model':
        await modelCommand(client, state, input.model, say);
        return true;
      case 'usage':
        await usageCommand(client, state.sessionId, say);
        return true;
      case 'sessions': {
        const { sessions } = await client.call<{ sessions: { id: string; lifecycleStatus: string; displayName?: string | null; updatedAtMs: number }[] }>('session/list', { limit: 20 });
        for (const session of sessions) say(`${session.id === state.sessionId ? '*' : ' '} ${session.id}  ${session.lifecycleStatus}  ${new Date(session.updatedAtMs).toISOString()}${session.displayName ? `  ${session.displayName}` : ''}`);
        if (sessions.length === 0) say('no sessions');
        return true;
      }
      case 'session': {
        if (state.busy) {
          say('a run is in progress: /cancel it first');
          return true;
        }
        const { session } = await client.call('session/read', { sessionId: input.sessionId });
        state.sessionId = session.id;
        const model = session.config?.model;
        if (model) state.model = `${model.providerId}/${model.model}`;
        say(`now in session ${state.sessionId}`);
        return true;
      }
    }
  };

  rl.on('SIGINT', () => {
    if (state.active) {
      void client.call('session/runs/cancel', { sessionId: state.sessionId, runId: state.active.runId }).catch(() => undefined);
      say('\n(cancelling; Ctrl-C again to quit)');
      delete state.active;
    } else rl.close();
  });
  // Lines are handled one at a time, in order, even while a run streams in the background.
  let queue = Promise.resolve();
  const lines = new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      queue = queue.then(async () => {
        if (closing) return;
        try {
          if (!(await handle(line))) {
            closing = true;
            rl.close();
            return;
          }
        } catch (error) {
          say(`error: ${describeFailure(error).message}`);
        }
        if (!state.busy) rl.prompt();
      });
    });
    rl.on('close', () => resolve());
  });
  await lines;
  await queue;
  // End of input while a run streams: let it finish rather than abandon its output — unless it
  // waits for an answer nobody can type any more; the wait stays open in the session.
  while (state.busy) {
    if (state.question) {
      const verb = state.question.kind === 'approval' ? 'approve|deny' : 'answer';
      say(`the run waits for an answer to ${state.question.promiseId}; answer later with: lightspeed waits ${verb} ${state.sessionId} ${state.question.promiseId}`);
      break;
    }
    if (state.active) await Promise.race([state.active.done.catch(() => undefined), settled()]);
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return 0;
}

/** `/usage`: the session's last run and its totals, as `session/read` reports them. */
async function usageCommand(client: RpcClient, sessionId: string, say: (line: string) => void): Promise<void> {
  const { session } = await client.call<{ session: { runs: { id: string; usage?: UsageFigures }[]; usage?: UsageFigures } }>('session/read', { sessionId });
  const last = session.runs[session.runs.length - 1];
  if (last) say(usageLine(`last run ${last.id}`, last.usage));
  say(usageLine(`session ${sessionId}`, session.usage));
}

async function modelCommand(client: RpcClient, state: ChatState, wanted: string | undefined, say: (line: string) => void): Promise<void> {
  const { models } = await client.call<{ models: { providerId: string; apiKind: string; model: string }[] }>('models/list', {});
  if (!wanted) {
    say(`model: ${state.model ?? '(server default)'}`);
    const names = [...new Set(models.map((m) => `${m.providerId}/${m.model}`))];
    if (names.length > 0) say(`available: ${names.join(', ')}`);
    return;
  }
  const match = models.find((m) => `${m.providerId}/${m.model}` === wanted || m.model === wanted);
  if (!match) {
    say(`unknown model ${wanted}; /model lists the available ones`);
    return;
  }
  const { session } = await client.call('session/read', { sessionId: state.sessionId });
  const config = { ...(session.config ?? {}), model: { providerId: match.providerId, apiKind: match.apiKind, model: match.model } };
  await client.call('session/config/put', { sessionId: state.sessionId, config, expectedConfigRevision: session.configRevision });
  state.model = `${match.providerId}/${match.model}`;
  say(`model: ${state.model}`);
}
