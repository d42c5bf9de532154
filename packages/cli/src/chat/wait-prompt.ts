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
