import { putText } from '@lightspeed/cas';
import type { AgentHost, SessionRef } from '@lightspeed/driver';
import { findRun, isTerminalRun } from '@lightspeed/engine';
import type { FakeProvider } from '@lightspeed/fake-provider';
import type { BlobStore } from '@lightspeed/ports';
import { journalLines, waitUntil } from '../killable-process.js';
import { expect } from 'vitest';

export interface KillMidRunOptions {
  host: AgentHost;
  ref: SessionRef;
  blobs: BlobStore;
  fake: FakeProvider;
  /** Where the effect process's `step` tool writes `start <callId>` / `end <callId>` lines. */
  journal: string;
  /** SIGKILLs the process that runs the session's effects and starts a new one. */
  restart(): Promise<void>;
}

/**
 * The crash scenario every distributed host must pass: the process running a session's effects is
 * SIGKILLed during a generation and again during a tool batch (one `step` finished, the next
 * running). The run completes, the killed generation is retried once, and no finished tool call
 * runs again; only the call in flight at the second kill runs twice.
 */
export async function killMidRunScenario({ host, ref, blobs, fake, journal, restart }: KillMidRunOptions): Promise<void> {
  const open = await host.submit(ref, { type: 'session.open', sessionId: ref.sessionId, config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-model' } } });
  expect(open.ok).toBe(true);
  fake.enqueue(
    { text: 'this answer never arrives', firstTokenDelayMs: 5_000 },
    { toolCalls: [{ name: 'step' }, { name: 'step' }, { name: 'step' }] },
    { text: 'all steps done' },
  );
  const text = 'take three steps';
  const started = await host.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: await putText(blobs, text), preview: text }] } });
  if (!started.ok) throw new Error(started.rejection.message);
  const runId = started.result!.runId!;

  // Kill 1: the provider has the request, the generation is streaming.
  await waitUntil('the first generation request', () => fake.requests.length >= 1);
  await restart();

  // Kill 2: one step finished, the next one is running.
  await waitUntil('a finished step and a running one', async () => {
    const lines = await journalLines(journal);
    return lines.filter((l) => l.startsWith('end ')).length === 1 && lines.filter((l) => l.startsWith('start ')).length === 2;
  });
  await restart();

  await waitUntil(
    'the run to end',
    async () => {
      const state = await host.state(ref);
      const run = state && findRun(state, runId);
      return run !== undefined && isTerminalRun(run.status);
    },
    60_000,
  );
  const run = findRun((await host.state(ref))!, runId)!;
  expect(run.status).toBe('completed');
  expect(run.batches[0]!.calls.map((c) => c.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  // The killed generation was retried: 3 scripted requests, no more.
  expect(fake.requests.length).toBe(3);

  const lines = await journalLines(journal);
  const callIds = run.batches[0]!.calls.map((c) => c.callId);
  for (const callId of callIds) {
    const endAt = lines.indexOf(`end ${callId}`);
    expect(endAt, `${callId} finished`).toBeGreaterThanOrEqual(0);
    expect(lines.filter((l) => l === `end ${callId}`), `${callId} finished once`).toHaveLength(1);
    expect(lines.slice(endAt + 1), `${callId} never started again after it finished`).not.toContain(`start ${callId}`);
  }
  // The step in flight at the second kill ran twice; the others once.
  expect(callIds.map((id) => lines.filter((l) => l === `start ${id}`).length)).toEqual([1, 2, 1]);
}

