// RestateAgentHost behaviour beyond the shared scenarios: typed rejections come back exactly as in
// embedded mode, deleted sessions can be reopened, and the Restate journal never carries the
// conversation (only ids, refs and heads), however large the context grows.
import '../src/polyfills.js';
import { putText } from '@lightspeed/cas';
import { findRun, isTerminalRun, type Command } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { startRestate, type RestateServer } from '@lightspeed/testkit';
import { createToolPortFactory } from '@lightspeed/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestateHost, type RestateAgentHost, type SessionFacts } from '../src/index.js';

const universe = 'u-host';
const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-model' };

let server: RestateServer;
let fake: FakeProvider;
let storage: Storage;
let host: RestateAgentHost;

beforeAll(async () => {
  [server, fake, storage] = await Promise.all([startRestate(), startFakeProvider({ port: 0 }), openStorage({ kind: 'pglite', dataDir: 'memory://' })]);
  const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
  const runtime = createToolPortFactory();
  ({ host } = await startRestateHost({ stores: storage, llm, tools: runtime.factory, adminUrl: server.adminUrl, ingressUrl: server.ingressUrl }));
}, 60_000);

afterAll(async () => {
  await host?.close();
  await storage?.close();
  await server?.stop();
  await fake?.stop();
});

async function query<T>(sql: string): Promise<T[]> {
  const response = await fetch(`${server.adminUrl}/query`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: sql }) });
  return ((await response.json()) as { rows: T[] }).rows;
}

async function runToEnd(sessionId: string, text: string) {
  const ref = { universe, sessionId };
  const started = await host.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: await putText(storage.blobs(universe), text), preview: text }] } });
  if (!started.ok) throw new Error(started.rejection.message);
  const runId = started.result!.runId!;
  for (;;) {
    const state = (await host.state(ref))!;
    const run = findRun(state, runId);
    if (run && isTerminalRun(run.status)) return run;
    await host.waitForEvents(ref, state.head, 1_000);
  }
}

describe('RestateAgentHost', () => {
  it('answers typed rejections as values, exactly like embedded mode', async () => {
    const ref = { universe, sessionId: 'rejections' };
    const missing = await host.submit(ref, { type: 'run.cancel', runId: 'run_1' });
    expect(missing).toEqual({ ok: false, rejection: expect.objectContaining({ code: 'not_found' }) });
    expect(await host.state(ref)).toBeUndefined();
    const invalid = await host.submit(ref, { type: 'no.such.command' } as unknown as Command);
    expect(invalid.ok).toBe(false);
    expect(await host.submit(ref, { type: 'session.open', sessionId: ref.sessionId, config: { model } })).toMatchObject({ ok: true, head: expect.any(Number) });
    expect(await host.submit(ref, { type: 'session.close' } as Command)).toMatchObject({ ok: true });
    const closed = await host.submit(ref, { type: 'session.rename', displayName: 'late' } as Command);
    expect(closed).toEqual({ ok: false, rejection: expect.objectContaining({ code: 'closed' }) });
  });

  it('deletes a closed session so the same id can be opened afresh', async () => {
    const ref = { universe, sessionId: 'reused' };
    await host.submit(ref, { type: 'session.open', sessionId: ref.sessionId, config: { model } });
    fake.enqueue({ text: 'first life' });
    expect((await runToEnd('reused', 'hello')).status).toBe('completed');
    await host.submit(ref, { type: 'session.close' } as Command);
    await host.deleteSession(ref);
    expect(await host.state(ref)).toBeUndefined();
    const reopened = await host.submit(ref, { type: 'session.open', sessionId: ref.sessionId, config: { model } });
    expect(reopened.ok).toBe(true);
    fake.enqueue({ text: 'second life' });
    expect((await runToEnd('reused', 'hello again')).status).toBe('completed');
  });

  it('keeps the conversation out of the journal and only tiny facts in Restate state', async () => {
    const ref = { universe, sessionId: 'big-context' };
    await host.submit(ref, { type: 'session.open', sessionId: ref.sessionId, config: { model } });
    const reply = 'a long answer that fills the context window. '.repeat(400); // ≈ 18 KB per reply
    for (let turn = 1; turn <= 3; turn++) {
      fake.enqueue({ text: reply });
      expect((await runToEnd('big-context', `question ${turn}`)).status).toBe('completed');
    }
    const [largest] = await query<{ bytes: number }>(`SELECT MAX(raw_length) AS bytes FROM sys_journal`);
    expect(Number(largest!.bytes)).toBeLessThan(1_024);
    const state = (await host.state(ref))!;
    const facts = async () => {
      const response = await fetch(`${server.ingressUrl}/LightspeedSession/${encodeURIComponent(JSON.stringify([universe, 'big-context']))}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' });
      return (await response.json()) as SessionFacts;
    };
    // The shared `status` handler reads the object's committed state, which catches up with the
    // store once the handler that appended the run's last events has finished.
    await expect.poll(facts, { timeout: 10_000, interval: 50 }).toMatchObject({ head: state.head, inflight: [] });
    expect(JSON.stringify(await facts()).length).toBeLessThan(200);
  });
});
