import { getText, putText } from '@lightspeed/cas';
import { findRun, isTerminalRun, type PromiseState, type SessionState } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { createToolPortFactory } from '@lightspeed/tools';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedHost, memoryStores } from '../src/index.js';

const config = { model: { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' }, features: { askUser: {}, timers: {} } };
const pending = (state: SessionState | undefined): PromiseState | undefined => Object.values(state?.promises ?? {}).find((p) => p.status === 'pending');

let fake: FakeProvider | undefined;
let host: EmbeddedHost | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await host?.close();
  await fake?.stop();
});

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function startHost(options: { parkedReleaseMs?: number; maxCachedSessions?: number } = {}) {
  fake = await startFakeProvider({ port: 0 });
  const runtime = createToolPortFactory();
  const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
  host = await EmbeddedHost.start({ stores: memoryStores(), llm, tools: runtime.factory, ...options });
  return { host, runtime, blobs: host.blobs('u') };
}

/** Opens a session with the wait tools, starts a run whose prompt is an echo directive, returns once it waits. */
async function parkOn(sessionId: string, text: string) {
  const ref = { universe: 'u', sessionId };
  expect((await host!.submit(ref, { type: 'session.open', sessionId, config })).ok).toBe(true);
  const started = await host!.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: await putText(host!.blobs('u'), text), preview: text }] } });
  if (!started.ok) throw new Error(started.rejection.message);
  await until(`${sessionId} to wait`, async () => pending(await host!.state(ref)) !== undefined);
  return { ref, runId: started.result!.runId!, wait: pending(await host!.state(ref))! };
}

async function runEnd(ref: { universe: string; sessionId: string }, runId: string) {
  await until('the run to end', async () => isTerminalRun(findRun((await host!.state(ref))!, runId)!.status));
  return findRun((await host!.state(ref))!, runId)!;
}

describe('embedded host: parked sessions', () => {
  it('drops a session parked on a question from memory after the grace period, and the answer still completes its run; a sleeping one stays', async () => {
    const { runtime, blobs } = await startHost({ parkedReleaseMs: 100 });
    const asking = await parkOn('asks', 'use ask_user {"question":"Ship it?"}');
    const sleeping = await parkOn('sleeps', 'use sleep {"seconds":3600}');
    expect(asking.wait.wait?.kind).toBe('question');
    expect(sleeping.wait.wait?.kind).toBe('timer');

    // Only the sleeping session (its timer armed) is still held once nobody looks the other one up.
    await until('the parked session to be dropped', () => host!.cachedSessions === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(host!.cachedSessions).toBe(1);

    // The answer loads it again from the log, and the run goes on with it.
    const answered = await host!.submit(asking.ref, { type: 'promise.resolve', promiseId: asking.wait.promiseId, payloadRef: await putText(blobs, 'yes') });
    expect(answered.ok).toBe(true);
    const run = await runEnd(asking.ref, asking.runId);
    expect(run.status).toBe('completed');
    expect(await getText(blobs, run.batches[0]!.calls[0]!.resultRef!)).toBe('yes');
    // Two requests: the question, then the answer; nothing ran while it waited or after it was dropped.
    expect(fake!.requests.filter((r) => JSON.stringify(r.body).includes('Ship it?')).length).toBe(2);
    await runtime.close();
  });

  it('clears the timer of a wait that ends before its deadline (it would hold the session until then)', async () => {
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const clearTimer = vi.spyOn(globalThis, 'clearTimeout');
    const { runtime, blobs } = await startHost();
    const sleeping = await parkOn('sleeps', 'use sleep {"seconds":3600}');
    const armed = setTimer.mock.calls.flatMap((call, i) => ((call[1] ?? 0) > 3_000_000 ? [setTimer.mock.results[i]!.value as unknown] : []));
    expect(armed).toHaveLength(1);
    expect(clearTimer.mock.calls.some(([handle]) => handle === armed[0])).toBe(false);

    const cancelled = await host!.submit(sleeping.ref, { type: 'promise.resolve', promiseId: sleeping.wait.promiseId, outcome: 'cancelled', payloadRef: await putText(blobs, 'no need to wait') });
    expect(cancelled.ok).toBe(true);
    expect((await runEnd(sleeping.ref, sleeping.runId)).status).toBe('completed');
    expect(clearTimer.mock.calls.some(([handle]) => handle === armed[0])).toBe(true);
    await runtime.close();
  });

  it('keeps the idle-session bound once runs end: sessions busy when the last load checked it are dropped when they come to rest', async () => {
    const { runtime, blobs } = await startHost({ maxCachedSessions: 1 });
    // Both ask (so both are loaded and busy together), then both are answered and finish.
    const parked = await Promise.all(['a', 'b'].map((id) => parkOn(id, 'use ask_user {"question":"Go?"}')));
    for (const { ref, wait } of parked) expect((await host!.submit(ref, { type: 'promise.resolve', promiseId: wait.promiseId, payloadRef: await putText(blobs, 'go') })).ok).toBe(true);
    for (const { ref, runId } of parked) expect((await runEnd(ref, runId)).status).toBe('completed');
    await until('the bound to hold', () => host!.cachedSessions <= 1);
    await runtime.close();
  });
});
