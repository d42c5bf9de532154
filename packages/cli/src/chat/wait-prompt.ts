import { createInterface } from 'node:readline';
import { describeFailure } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import type { RpcClient } from '../client/rpc-client.js';
import type { WaitView } from '../commands/waits-command.js';
import type { TurnObserver, WaitNotice } from './turn-observer.js';

/*
 * What the agent asks of the person at the chat: a question (`ask_user`), shown in full with
 * numbered choices, the next line being the answer (a number picks a choice); or a tool approval,
 * shown with the call's arguments, answered y(es) / a(lways, for this session) / n(o) [reason].
 */

/** Wait kinds the chat asks the person about (timers need nobody). */
export const PROMPTED_KINDS = new Set(['question', 'approval']);

/** The open wait in full (the stream's notice carries a bounded preview only). */
export async function openPrompt(client: RpcClient, sessionId: string, promiseId: string): Promise<WaitView | undefined> {
  const { waits } = await client.call<{ waits: WaitView[] }>('session/waits/list', { sessionId });
  return waits.find((wait) => wait.promiseId === promiseId && PROMPTED_KINDS.has(wait.kind));
}

export function promptLines(wait: WaitView): string {
  if (wait.kind === 'approval') {
    const args = (wait.arguments ?? '').replace(/\s+/g, ' ');
    return `? approve ${wait.toolName ?? wait.preview ?? 'this tool'}(${args}${wait.argumentsTruncated ? '…' : ''})\n  y = yes · a = always for this session · n [reason] = no\n`;
  }
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

/** Sends the person's line as the answer or the decision; returns what was done, for the transcript. */
export async function sendReply(client: RpcClient, sessionId: string, wait: WaitView, line: string): Promise<string> {
  const promiseId = wait.promiseId;
  if (wait.kind !== 'approval') {
    const answer = answerOf(wait, line);
    await client.call('session/waits/resolve', { sessionId, promiseId, answer });
    return `answered: ${answer}`;
  }
  const [, word = '', reason = ''] = /^\s*(\S*)\s*(.*)$/.exec(line) ?? [];
  const decision = word.toLowerCase();
  if (decision === 'y' || decision === 'yes') {
    await client.call('session/waits/resolve', { sessionId, promiseId });
    return 'approved';
  }
  if (decision === 'a' || decision === 'always') {
    await client.call('session/waits/resolve', { sessionId, promiseId, forSession: true });
    return `approved ${wait.toolName ?? 'the tool'} for this session`;
  }
  if (decision === 'n' || decision === 'no') {
    if (reason.trim()) await client.call('session/waits/fail', { sessionId, promiseId, reason: reason.trim() });
    else await client.call('session/waits/cancel', { sessionId, promiseId });
    return 'denied';
  }
  throw new Error('answer y (yes), a (always for this session) or n [reason] (no)');
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
 * One-shot chat: shows the question or approval on stderr and answers it with the next line of stdin. At end
 * of input the wait stays open in the session and the hint says how to answer it later.
 */
export async function replyFromInput(client: RpcClient, sessionId: string, promiseId: string, io: CliIo, remote: boolean): Promise<void> {
  const wait = await openPrompt(client, sessionId, promiseId).catch(() => undefined);
  if (!wait) return;
  io.stderr.write(promptLines(wait));
  const command = wait.kind === 'approval' ? `lightspeed waits approve|deny ${sessionId} ${promiseId}` : `lightspeed waits answer ${sessionId} ${promiseId} "…"`;
  const later = `answer it with: ${command}${remote ? '' : ' (against the server that holds the session)'}`;
  for (;;) {
    const line = await readLine(io);
    if (line === undefined) {
      io.stderr.write(`no answer on stdin; the run keeps waiting — ${later}\n`);
      return;
    }
    if (line.trim() === '') continue;
    try {
      io.stderr.write(`(${await sendReply(client, sessionId, wait, line)})\n`);
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
