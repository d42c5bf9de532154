import { createInterface } from 'node:readline';
import { describeFailure } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import type { RpcClient } from '../client/rpc-client.js';
import type { WaitView } from '../commands/waits-command.js';
import type { TurnObserver, WaitNotice } from './turn-observer.js';

/*
 * Questions the agent asks (`ask_user`) during a chat: the chat shows the full question with
 * numbered choices and takes the next line as the answer (a number picks a choice).
 */

/** The open wait in full (the stream's notice carries a bounded preview only). */
export async function openQuestion(client: RpcClient, sessionId: string, promiseId: string): Promise<WaitView | undefined> {
  const { waits } = await client.call<{ waits: WaitView[] }>('session/waits/list', { sessionId });
  return waits.find((wait) => wait.promiseId === promiseId && wait.kind === 'question');
}

export function questionLines(wait: WaitView): string {
  const lines = [`? ${wait.question ?? wait.preview ?? '(question)'}`];
  (wait.choices ?? []).forEach((choice, i) => lines.push(`  ${i + 1}) ${choice}`));
  lines.push(wait.choices ? `answer with a number or the text of a choice${wait.deadlineMs != null ? ` (before ${new Date(wait.deadlineMs).toISOString()})` : ''}` : 'type your answer');
  return `${lines.join('\n')}\n`;
}

/** What to send for a typed line: a choice's number means that choice. */
export function answerOf(wait: WaitView, line: string): string {
  const text = line.trim();
  const choices = wait.choices ?? [];
  const n = Number(text);
  if (/^\d+$/.test(text) && n >= 1 && n <= choices.length) return choices[n - 1]!;
  return text;
}

export async function sendAnswer(client: RpcClient, sessionId: string, wait: WaitView, line: string): Promise<string> {
  const answer = answerOf(wait, line);
  await client.call('session/waits/resolve', { sessionId, promiseId: wait.promiseId, answer });
  return answer;
}

/** `observer` plus wait hooks, leaving its own methods (the renderer's) in charge of output. */
export function withWaitHooks(observer: TurnObserver, hooks: Pick<TurnObserver, 'waitOpened' | 'waitClosed'>): TurnObserver {
  return {
    text: (delta) => observer.text(delta),
    reasoning: (delta) => observer.reasoning?.(delta),
    toolCall: (call) => observer.toolCall(call),
    toolResult: (result) => observer.toolResult(result),
    event: (event) => observer.event?.(event),
    waitOpened: (wait: WaitNotice) => {
      observer.waitOpened?.(wait);
      hooks.waitOpened?.(wait);
    },
    waitClosed: (promiseId) => {
      observer.waitClosed?.(promiseId);
      hooks.waitClosed?.(promiseId);
    },
  };
}

/**
 * One-shot chat: shows the question on stderr and answers it with the next line of stdin. At end
 * of input the wait stays open in the session and the hint says how to answer it later.
 */
export async function answerFromInput(client: RpcClient, sessionId: string, promiseId: string, io: CliIo, remote: boolean): Promise<void> {
  const wait = await openQuestion(client, sessionId, promiseId).catch(() => undefined);
  if (!wait) return;
  io.stderr.write(questionLines(wait));
  const later = `answer it with: lightspeed waits answer ${sessionId} ${promiseId} "…"${remote ? '' : ' (against the server that holds the session)'}`;
  for (;;) {
    const line = await readLine(io);
    if (line === undefined) {
      io.stderr.write(`no answer on stdin; the run keeps waiting — ${later}\n`);
      return;
    }
    if (line.trim() === '') continue;
    try {
      const sent = await sendAnswer(client, sessionId, wait, line);
      io.stderr.write(`(answered: ${sent})\n`);
      return;
    } catch (error) {
      io.stderr.write(`error: ${describeFailure(error).message}\n`);
    }
  }
}

/** Lines of one stdin, read by one readline for the whole command (a second one would lose buffered lines). */
const readers = new WeakMap<object, { lines: string[]; ended: boolean; waiting: ((line: string | undefined) => void)[] }>();

/** The next line of stdin, or undefined at its end. */
function readLine(io: CliIo): Promise<string | undefined> {
  let reader = readers.get(io.stdin);
  if (!reader) {
    const state = { lines: [] as string[], ended: false, waiting: [] as ((line: string | undefined) => void)[] };
    const rl = createInterface({ input: io.stdin, terminal: false });
    rl.on('line', (line) => (state.waiting.length > 0 ? state.waiting.shift()!(line) : state.lines.push(line)));
    rl.once('close', () => {
      state.ended = true;
      for (const resolve of state.waiting.splice(0)) resolve(undefined);
    });
    readers.set(io.stdin, state);
    reader = state;
  }
  const queued = reader.lines.shift();
  if (queued !== undefined) return Promise.resolve(queued);
  if (reader.ended) return Promise.resolve(undefined);
  return new Promise((resolve) => reader.waiting.push(resolve));
}
