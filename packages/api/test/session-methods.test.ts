import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';
import type { SessionStore } from '@lightspeed/ports';

const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };

describe('session methods over the embedded host', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let id = 0;
  const call = async (method: string, params: unknown) => (await rpc(app, { jsonrpc: '2.0', id: ++id, method, params })).json;

  beforeAll(async () => {
    test = await startTestHost();
    app = createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model } });
  });
  afterAll(async () => {
    await test?.stop();
  });

  it('answers concurrent starts of one id with the same session, whoever wins', async () => {
    const [a, b] = await Promise.all([
      call('session/start', { sessionId: 'race', config: { model, limits: { maxTurns: 1 } } }),
      call('session/start', { sessionId: 'race', config: { model, limits: { maxTurns: 2 } } }),
    ]);
    expect(a.result.result.session.config).toEqual(b.result.result.session.config);
  });

  it('mints an id and uses the default model when the caller gives neither', async () => {
    const { result } = await call('session/start', {});
    expect(result.result.session.id).toMatch(/^ses_[0-9a-f-]{36}$/);
    expect(result.result.session.config).toEqual({ model });
  });

  it('pages session/list with an opaque cursor', async () => {
    for (const sessionId of ['p1', 'p2', 'p3']) await call('session/start', { sessionId });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await call('session/list', { limit: 2, ...(cursor ? { cursor } : {}) })).result.result;
      expect(page.sessions.length).toBeLessThanOrEqual(2);
      seen.push(...page.sessions.map((s: any) => s.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(['p1', 'p2', 'p3']));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters session/list by search text, status and model, paging the matches', async () => {
    const other = { ...model, model: 'fake-other' };
    for (const n of [1, 2, 3]) await call('session/start', { sessionId: `flt-${n}`, displayName: `Report ${n}`, config: { model: other } });
    await call('session/start', { sessionId: 'flt-plain', displayName: 'Unrelated' });
    await call('session/close', { sessionId: 'flt-2' });
    const ids = async (params: object) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = (await call('session/list', { limit: 2, ...params, ...(cursor ? { cursor } : {}) })).result.result;
        expect(page.sessions.length).toBeLessThanOrEqual(2);
        seen.push(...page.sessions.map((s: any) => s.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return seen.sort();
    };
    expect(await ids({ search: 'REPORT' })).toEqual(['flt-1', 'flt-2', 'flt-3']);
    expect(await ids({ search: 'flt-pl' })).toEqual(['flt-plain']);
    expect(await ids({ model: 'fake/fake-other', status: 'idle' })).toEqual(['flt-1', 'flt-3']);
    expect(await ids({ model: 'fake-other', status: 'closed' })).toEqual(['flt-2']);
    expect(await ids({ search: 'report', agent: 'nobody' })).toEqual([]);
    const bad = await call('session/list', { status: 'sleeping' });
    expect(bad.error.data.kind).toBe('invalid_request');
    expect(bad.error.message).toMatch(/status/);
  });

  it('applies an inline profile: its config, name and instructions (as an instructions entry)', async () => {
    const { result } = await call('session/start', {
      sessionId: 'profiled',
      profile: { kind: 'inline', profile: { displayName: 'Helper', config: { model, limits: { maxTurns: 4 } }, instructions: { type: 'text', text: 'You are terse.' } } },
    });
    const session = result.result.session;
    expect(session).toMatchObject({ displayName: 'Helper', config: { model, limits: { maxTurns: 4 } } });
    expect(session.activeContext.entries).toContainEqual(expect.objectContaining({ key: 'prompt_instructions/profile', kind: { type: 'instructions' }, preview: 'You are terse.' }));
    expect((await call('session/start', { sessionId: 'named', profile: { kind: 'named', profileId: 'x' } })).error.data.kind).toBe('not_found');
  });

  it('refuses run input that points at missing blobs, and managed-only options', async () => {
    await call('session/start', { sessionId: 'inputs' });
    const missing = await call('session/runs/start', { sessionId: 'inputs', source: { type: 'input', items: [{ type: 'textRef', blobRef: `sha256:${'e'.repeat(64)}` }] } });
    expect(missing.error.data.kind).toBe('not_found');
    const managed = await call('session/runs/start', { sessionId: 'inputs', notifyOnTerminal: { token: 't' }, source: { type: 'input', items: [{ type: 'text', text: 'x' }] } });
    expect(managed.error.data.kind).toBe('rejected');
    const unknownRun = await call('session/runs/cancel', { sessionId: 'inputs', runId: 'run_99' });
    expect(unknownRun.error.data.kind).toBe('not_found');
    const wrongKind = await call('session/config/put', { sessionId: 'inputs', config: { model: { ...model, apiKind: 'anthropic:messages' } } });
    expect(wrongKind.error.data.kind).toBe('invalid_request');
  });
});

describe('session/start with a profile under a crash after the open commits', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let id = 0;
  const call = async (method: string, params: unknown) => (await rpc(app, { jsonrpc: '2.0', id: ++id, method, params })).json;
  const appends: string[][] = [];

  beforeAll(async () => {
    // The append after the one that opened the session fails once, as if the process died there.
    test = await startTestHost({
      wrapSessions: (store) => {
        let crashNext = false;
        return new Proxy(store, {
          get(target, prop, receiver) {
            if (prop !== 'append') return Reflect.get(target, prop, receiver);
            const append: SessionStore['append'] = async (sessionId, expectedHead, entries, projection) => {
              if (crashNext) {
                crashNext = false;
                throw new Error('simulated crash');
              }
              appends.push(entries.map((e) => e.kind));
              if (entries.some((e) => e.kind === 'session.opened')) crashNext = true;
              return target.append(sessionId, expectedHead, entries, projection);
            };
            return append;
          },
        });
      },
    });
    app = createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model } });
  });
  afterAll(async () => {
    await test?.stop();
  });

  it('commits the instructions in the same append as the open, so a retried start still has them', async () => {
    const params = { sessionId: 'crashy', profile: { kind: 'inline', profile: { config: { model }, instructions: { type: 'text', text: 'Be brief.' } } } };
    await call('session/start', params);
    expect(appends[0]).toEqual(['session.opened', 'context.put']);
    const retried = (await call('session/start', params)).result.result.session;
    expect(retried.activeContext.entries).toContainEqual(expect.objectContaining({ key: 'prompt_instructions/profile', preview: 'Be brief.' }));
  });
});

describe('a session whose log no longer folds', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let store: SessionStore | undefined;
  let id = 0;
  const call = async (method: string, params: unknown) => (await rpc(app, { jsonrpc: '2.0', id: ++id, method, params })).json;

  beforeAll(async () => {
    test = await startTestHost({ wrapSessions: (inner) => (store = inner) });
    app = createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model, onInternalError: () => undefined } });
  });
  afterAll(async () => {
    await test?.stop();
  });

  it('answers session_bootstrap_failed (-32011), as upstream, not an opaque internal error', async () => {
    await call('session/start', { sessionId: 'template' });
    const [opened] = await store!.read('template');
    // The same open, then a run starting that was never accepted: the fold refuses the log.
    await store!.append('broken', 0, [{ ...opened!, data: { ...(opened!.data as object), sessionId: 'broken' } }, { seq: 2, at: opened!.at, kind: 'run.started', version: 1, data: { runId: 'run_ghost' } }]);
    const answer = await call('session/read', { sessionId: 'broken' });
    expect(answer.error).toMatchObject({ code: -32011, data: { kind: 'session_bootstrap_failed' } });
    expect(answer.error.message).not.toMatch(/run_ghost|invariant/i);
  });
});
