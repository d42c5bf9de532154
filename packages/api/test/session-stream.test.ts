import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAuth } from '../src/auth/gateway-auth.js';
import { MemoryApiKeyRegistry } from '../src/auth/api-key-registry.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { openSse } from './support/sse-client.js';

const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };

describe('live session stream (SSE) and long-polling', () => {
  let test: TestHost;
  let server: ServingGateway;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    test = await startTestHost();
    const registry = new MemoryApiKeyRegistry();
    key = (await registry.createApiKey('u-stream')).key;
    otherKey = (await registry.createApiKey('u-other')).key;
    server = await serveGateway(createGateway({ host: test.host, auth: apiKeyAuth(registry), options: { heartbeatMs: 200, longPollCapMs: 300 } }));
  });
  afterAll(async () => {
    await server?.close();
    await test?.stop();
  });

  async function call(method: string, params: unknown, bearer = key): Promise<any> {
    const response = await fetch(`${server.url}/rpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const body = (await response.json()) as any;
    if (body.error) throw new Error(body.error.message);
    return body.result.result;
  }

  const streamUrl = (sessionId: string, after?: number) => `${server.url}/sessions/${sessionId}/stream${after === undefined ? '' : `?after=${after}`}`;
  const auth = () => ({ authorization: `Bearer ${key}` });

  it('streams durable events with seq ids, token deltas of the active turn, and heartbeats', async () => {
    await call('session/start', { sessionId: 'live-1', config: { model } });
    const stream = await openSse(streamUrl('live-1'), auth());
    try {
      expect(stream.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
      const opened = await stream.next((event) => event.event === 'event');
      expect(opened.id).toBe('1');
      expect(JSON.parse(opened.data).kind.type).toBe('sessionOpened');
      await stream.next((event) => event.event === 'heartbeat', 2_000);

      test.fake.enqueue({ text: 'Streaming tokens arrive one small chunk at a time.', chunkChars: 4, chunkLatencyMs: 5 });
      const { run } = await call('session/runs/start', { sessionId: 'live-1', source: { type: 'input', items: [{ type: 'text', text: 'stream please' }] } });
      const delta = await stream.next((event) => event.event === 'delta');
      const parsed = JSON.parse(delta.data);
      expect(delta.id).toBeUndefined();
      expect(parsed).toMatchObject({ sessionId: 'live-1', delta: { type: 'text' } });
      expect(parsed.turnId).toMatch(/turn_/);
      let text = parsed.delta.text as string;
      const ids: number[] = [];
      for (;;) {
        const event = await stream.next((e) => e.event === 'delta' || e.event === 'event');
        if (event.event === 'delta') text += JSON.parse(event.data).delta.text;
        else {
          ids.push(Number(event.id));
          const kind = JSON.parse(event.data).kind;
          if (kind.type === 'runCompleted' && kind.runId === run.id) break;
        }
      }
      expect(text).toBe('Streaming tokens arrive one small chunk at a time.');
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    } finally {
      await stream.close();
    }
  });

  it('resumes after Last-Event-ID (or ?after=) without repeating or skipping durable events', async () => {
    const full = await call('session/events/read', { sessionId: 'live-1', limit: 1000 });
    const seqs = [...new Set(full.events.map((event: any) => event.cursor.seq))] as number[];
    const resumeAt = seqs[Math.floor(seqs.length / 2)]!;
    for (const [url, headers] of [
      [streamUrl('live-1'), { ...auth(), 'last-event-id': String(resumeAt) }],
      [streamUrl('live-1', resumeAt), auth()],
    ] as const) {
      const stream = await openSse(url, headers);
      try {
        const first = await stream.next((event) => event.event === 'event');
        expect(Number(first.id)).toBe(seqs.find((seq) => seq > resumeAt));
      } finally {
        await stream.close();
      }
    }
  });

  it('gives every event its own position and resumes inside one log entry with no duplicate and no gap (events/read and SSE)', async () => {
    const full = (await call('session/events/read', { sessionId: 'live-1', limit: 1000 })).events as any[];
    const positions = full.map((event) => event.cursor.seq as number);
    expect(new Set(positions).size).toBe(positions.length);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // One log entry (turn.started) projects turnStarted and turnGenerationRequested.
    const turn = full.findIndex((event) => event.kind.type === 'turnStarted');
    expect(full[turn + 1].kind.type).toBe('turnGenerationRequested');

    // One event per page, each page resuming from the previous nextCursor: every event once, in order.
    const paged: any[] = [];
    let cursor: { seq: number } | null = null;
    for (let round = 0; round < 1_000; round++) {
      const page: any = await call('session/events/read', { sessionId: 'live-1', after: cursor, limit: 1 });
      expect(page.events.length).toBeLessThanOrEqual(1);
      paged.push(...page.events);
      cursor = page.nextCursor;
      if (page.complete) break;
    }
    expect(paged).toEqual(full);

    // The stream resumed between the two events of that entry starts with the second one.
    const between = String(full[turn].cursor.seq);
    for (const [url, headers] of [
      [streamUrl('live-1'), { ...auth(), 'last-event-id': between }],
      [streamUrl('live-1', Number(between)), auth()],
    ] as const) {
      const stream = await openSse(url, headers);
      try {
        const rest: any[] = [];
        for (let i = turn + 1; i < full.length; i++) rest.push(JSON.parse((await stream.next((event) => event.event === 'event')).data));
        expect(rest).toEqual(full.slice(turn + 1));
      } finally {
        await stream.close();
      }
    }
  });

  it('takes the universe from the key: another universe cannot stream the session', async () => {
    const foreign = await fetch(streamUrl('live-1'), { headers: { authorization: `Bearer ${otherKey}` } });
    expect(foreign.status).toBe(404);
    const anonymous = await fetch(streamUrl('live-1'));
    expect(anonymous.status).toBe(401);
    const badCursor = await fetch(streamUrl('live-1'), { headers: { ...auth(), 'last-event-id': 'abc' } });
    expect(badCursor.status).toBe(400);
  });

  it('releases the live subscription when the client disconnects', async () => {
    const baseline = test.live.active;
    const stream = await openSse(streamUrl('live-1'), auth());
    await stream.next((event) => event.event === 'ready');
    expect(test.live.active).toBe(baseline + 1);
    await stream.close();
    // The server notices the disconnect at once or on its next write (a heartbeat at the latest).
    for (let i = 0; i < 50 && test.live.active > baseline; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(test.live.active).toBe(baseline);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('long-polls session/events/read until an event lands, clamping waitMs to the server cap', async () => {
    const head = (await call('session/events/read', { sessionId: 'live-1', limit: 1000 })).headCursor.seq;
    const started = Date.now();
    const idle = await call('session/events/read', { sessionId: 'live-1', after: { seq: head }, waitMs: 60_000 });
    const waited = Date.now() - started;
    expect(idle.events).toEqual([]);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5_000);

    const pending = call('session/events/read', { sessionId: 'live-1', after: { seq: head }, waitMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await call('session/rename', { sessionId: 'live-1', displayName: 'renamed' });
    await call('session/context/append', { sessionId: 'live-1', entries: [{ key: 'k', item: { type: 'text', text: 'wake up' } }] });
    const woken = await pending;
    expect(woken.nextCursor.seq).toBeGreaterThan(head);
  });
});
