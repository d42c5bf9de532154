import { getText, putText } from '@lightspeed/cas';
import { findRun, isTerminalRun, type PromiseState, type SessionState } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { createToolPortFactory } from '@lightspeed/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedHost, memoryStores } from '../src/index.js';

const config = { model: { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' }, features: { askUser: {}, timers: {} } };
const pending = (state: SessionState | undefined): PromiseState | undefined => Object.values(state?.promises ?? {}).find((p) => p.status === 'pending');

let fake: FakeProvider | undefined;
let host: EmbeddedHost | undefined;
afterEach(async () => {
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

describe('embedded host: parked sessions', () => {
  it('drops a session parked on a question from memory after the grace period, and the answer still completes its run; a sleeping one stays', async () => {
    fake = await startFakeProvider({ port: 0 });
    const runtime = createToolPortFactory();
    const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
    host = await EmbeddedHost.start({ stores: memoryStores(), llm, tools: runtime.factory, parkedReleaseMs: 100 });
    const blobs = host.blobs('u');
    const start = async (sessionId: string, text: string) => {
      const ref = { universe: 'u', sessionId };
      expect((await host!.submit(ref, { type: 'session.open', sessionId, config })).ok).toBe(true);
      const started = await host!.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: await putText(blobs, text), preview: text }] } });
      if (!started.ok) throw new Error(started.rejection.message);
      await until(`${sessionId} to wait`, async () => pending(await host!.state(ref)) !== undefined);
      return { ref, runId: started.result!.runId!, wait: pending(await host!.state(ref))! };
    };
    const asking = await start('asks', 'use ask_user {"question":"Ship it?"}');
    const sleeping = await start('sleeps', 'use sleep {"seconds":3600}');
    expect(asking.wait.wait?.kind).toBe('question');
    expect(sleeping.wait.wait?.kind).toBe('timer');

    // Only the sleeping session (its timer armed) is still held once nobody looks the other one up.
    await until('the parked session to be dropped', () => host!.cachedSessions === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(host.cachedSessions).toBe(1);

    // The answer loads it again from the log, and the run goes on with it.
    const answered = await host.submit(asking.ref, { type: 'promise.resolve', promiseId: asking.wait.promiseId, payloadRef: await putText(blobs, 'yes') });
    expect(answered.ok).toBe(true);
    await until('the run to end', async () => isTerminalRun(findRun((await host!.state(asking.ref))!, asking.runId)!.status));
    const run = findRun((await host.state(asking.ref))!, asking.runId)!;
    expect(run.status).toBe('completed');
    expect(await getText(blobs, run.batches[0]!.calls[0]!.resultRef!)).toBe('yes');
    // Two requests: the question, then the answer; nothing ran while it waited or after it was dropped.
    expect(fake.requests.filter((r) => JSON.stringify(r.body).includes('Ship it?')).length).toBe(2);
    await runtime.close();
  });
});
