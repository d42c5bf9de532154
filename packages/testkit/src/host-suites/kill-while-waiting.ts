import { getText, putText } from '@lightspeed/cas';
import type { AgentHost, SessionRef } from '@lightspeed/driver';
import { findRun, isTerminalRun, TIMER_RESULT_TEXT, type PromiseState, type SessionState } from '@lightspeed/engine';
import type { FakeProvider } from '@lightspeed/fake-provider';
import type { BlobStore } from '@lightspeed/ports';
import { expect } from 'vitest';
import { waitUntil } from '../killable-process.js';

export interface KillWhileWaitingOptions {
  host: AgentHost;
  ref: SessionRef;
  blobs: BlobStore;
  fake: FakeProvider;
  /** SIGKILLs the process that runs the session's effects (with the real tool runtime) and starts a new one. */
  restart(): Promise<void>;
}

const pendingOf = (state: SessionState | undefined, kind: string): PromiseState | undefined =>
  Object.values(state?.promises ?? {}).find((p) => p.status === 'pending' && p.wait?.kind === kind);

/**
 * Durable waits across process deaths, on any host: a run asks the user (`ask_user`), the effect
 * process is SIGKILLed while it waits, the answer arrives after the restart and reaches the model;
 * the run then sleeps (`sleep`), is killed again, and the timer still fires on the new process.
 */
export async function killWhileWaitingScenario({ host, ref, blobs, fake, restart }: KillWhileWaitingOptions): Promise<void> {
  const config = { model: { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-model' }, features: { askUser: {}, timers: {} } };
  const open = await host.submit(ref, { type: 'session.open', sessionId: ref.sessionId, config });
  if (!open.ok) throw new Error(open.rejection.message);
  // The provider may be shared with other scenarios of the file: count this one's requests only.
  const before = fake.requests.length;
  fake.enqueue(
    { toolCalls: [{ name: 'ask_user', arguments: { question: 'Ship the release?', choices: ['yes', 'no'] } }] },
    { toolCalls: [{ name: 'sleep', arguments: { seconds: 3, reason: 'let the release settle' } }] },
    { text: 'released and settled' },
  );
  const text = 'release when I say so';
  const started = await host.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: await putText(blobs, text), preview: text }] } });
  if (!started.ok) throw new Error(started.rejection.message);
  const runId = started.result!.runId!;

  await waitUntil('the question to be asked', async () => pendingOf(await host.state(ref), 'question') !== undefined, 60_000);
  const question = pendingOf(await host.state(ref), 'question')!;
  await restart();
  // Nothing ran while it waited: the provider saw one request, the question is still open.
  expect(fake.requests.length - before).toBe(1);
  expect(pendingOf(await host.state(ref), 'question')?.promiseId).toBe(question.promiseId);
  const answered = await host.submit(ref, { type: 'promise.resolve', promiseId: question.promiseId, payloadRef: await putText(blobs, 'yes') });
  expect(answered.ok ? 'admitted' : answered.rejection).toBe('admitted');

  await waitUntil('the sleep to start', async () => pendingOf(await host.state(ref), 'timer') !== undefined, 60_000);
  const timer = pendingOf(await host.state(ref), 'timer')!;
  expect(timer.deadline).toBeGreaterThan(Date.now());
  await restart();

  await waitUntil(
    'the run to end',
    async () => {
      const run = findRun((await host.state(ref))!, runId);
      return run !== undefined && isTerminalRun(run.status);
    },
    60_000,
  );
  const state = (await host.state(ref))!;
  const run = findRun(state, runId)!;
  expect(run.status).toBe('completed');
  // The timer fired no earlier than its deadline, after the second restart.
  expect(Date.now()).toBeGreaterThanOrEqual(timer.deadline!);
  const [ask, sleep] = run.batches.map((batch) => batch.calls[0]!);
  expect(await getText(blobs, ask!.resultRef!)).toBe('yes');
  expect(await getText(blobs, sleep!.resultRef!)).toBe(TIMER_RESULT_TEXT);
  expect(await getText(blobs, run.outputRef!)).toBe('released and settled');
  // The model saw the answer: the second request carries it as the tool output.
  expect(JSON.stringify(fake.requests[before + 1]!.body)).toContain('"yes"');
  expect(fake.requests.length - before).toBe(3);
  expect(state.promises).toEqual({});
}
