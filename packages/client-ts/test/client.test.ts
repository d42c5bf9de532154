import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cuttingSseProxy } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  InvalidParamsError,
  LightspeedClient,
  LightspeedRpcError,
  MethodNotFoundError,
  NotFoundError,
  RejectedError,
  TimeoutError,
  UnauthorizedError,
  type SessionEventView,
} from '../src/index.js';
import { startLiveServe, type LiveServe } from './support/live-serve.js';

const say = (text: string) => ({ type: 'input' as const, items: [{ type: 'text' as const, text }] });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('@lightspeed/client against a live lightspeed serve', () => {
  let serve: LiveServe;
  let client: LightspeedClient;
  beforeAll(async () => {
    serve = await startLiveServe();
    client = new LightspeedClient({ baseUrl: `${serve.url}/`, apiKey: serve.apiKey });
  }, 120_000);
  afterAll(async () => {
    await serve?.stop();
  });

  it('calls typed methods and awaits a run to its end', async () => {
    const { protocolVersion } = await client.initialize();
    expect(protocolVersion).toBe('lightspeed.agent.api.v1');
    const { session } = await client.session.start({ config: {} });
    const { run } = await client.call('session/runs/start', { sessionId: session.id, source: say('typed') });
    const finished = await client.awaitRun(session.id, run.id);
    expect(finished).toMatchObject({ id: run.id, status: 'completed' });
    expect(finished.entries?.some((entry) => entry.kind.type === 'message' && entry.kind.role === 'assistant' && entry.text?.includes('You said: typed'))).toBe(true);
    // A run already over resolves at once, from session/read.
    expect((await client.awaitRun(session.id, run.id)).status).toBe('completed');
    const outcome = await client.callOutcome('session/list', {});
    expect(outcome.result.sessions.map((summary) => summary.id)).toContain(session.id);
  });

  it('throws the error class of each code the server answers', async () => {
    const missing = await failure(client.session.read({ sessionId: 'nope' }));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ code: -32004, kind: 'not_found', method: 'session/read' });
    const invalid = await failure(client.request('session/read', { sessionId: 42 }));
    expect(invalid).toBeInstanceOf(InvalidParamsError);
    expect(invalid).toMatchObject({ code: -32602, kind: 'invalid_request' });
    expect(await failure(client.request('nothing/here'))).toBeInstanceOf(MethodNotFoundError);
    const { session } = await client.session.start({});
    // Deleting an open session is refused by the server.
    expect(await failure(client.session.delete({ sessionId: session.id }))).toBeInstanceOf(RejectedError);
    expect(await failure(client.openStream('nope'))).toBeInstanceOf(NotFoundError);
  });

  it('sends the API key as a bearer token, and a wrong key is UnauthorizedError on calls, uploads and streams', async () => {
    const stranger = new LightspeedClient({ baseUrl: serve.url, apiKey: 'lsk_000000000000_wrong' });
    // Thunks: a promise made before the loop awaits it would reject unhandled meanwhile.
    for (const attempt of [() => stranger.session.list(), () => stranger.uploadBlob(new Uint8Array([1])), () => stranger.openStream('any')]) {
      const error = await failure(attempt());
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error).toBeInstanceOf(LightspeedRpcError);
      expect((error as Error).message).not.toContain('wrong');
    }
    const anonymous = new LightspeedClient({ baseUrl: serve.url });
    expect(await failure(anonymous.session.list())).toMatchObject({ code: -32001 });
  });

  it('uploads a blob as a raw body and reads it back by ref', async () => {
    const stored = await client.uploadBlob(new TextEncoder().encode('raw bytes'));
    expect(stored.bytes).toBe(9);
    const read = await client.blobs.read({ blobRef: stored.blobRef });
    expect(Buffer.from(read.bytesBase64, 'base64').toString('utf8')).toBe('raw bytes');
  });

  it('follows a session across a dropped stream: resumes with Last-Event-ID, every event once and in order', async () => {
    const proxy = await cuttingSseProxy(serve.url, 3);
    try {
      const viaProxy = new LightspeedClient({ baseUrl: proxy.url, apiKey: serve.apiKey });
      const { session } = await viaProxy.session.start({ config: {} });
      const after = await viaProxy.headCursor(session.id);
      const follower = await viaProxy.follow(session.id, { after, retryDelayMs: 20 });
      const { run } = await viaProxy.session.runs.start({ sessionId: session.id, source: say('follow me') });
      const events: SessionEventView[] = [];
      /** Events that came over the first connection (before the follower reconnected). */
      const beforeCut: number[] = [];
      for await (const message of follower) {
        if (message.event !== 'event') continue;
        events.push(message.data);
        if (proxy.lastEventIds.length === 1) beforeCut.push(message.data.cursor.seq);
        if (message.data.kind.type === 'runCompleted') break;
      }
      follower.close();
      expect(proxy.cuts).toBe(1);
      expect(proxy.lastEventIds).toHaveLength(2);
      expect(proxy.lastEventIds[0]).toBe(after > 0 ? String(after) : undefined);
      // The reconnect named the last event the first connection delivered.
      expect(proxy.lastEventIds[1]).toBe(String(beforeCut.length > 0 ? beforeCut[beforeCut.length - 1] : after));
      const positions = events.map((event) => event.cursor.seq);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(positions.length);
      expect(follower.cursor).toBe(positions[positions.length - 1]);
      const { session: read } = await viaProxy.session.read({ sessionId: session.id });
      expect(read.runs?.find((candidate) => candidate.id === run.id)?.status).toBe('completed');
    } finally {
      await proxy.close();
    }
  });

  it('aborts a call with its signal, and times out awaitRun', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = await failure(client.session.list({}, { signal: controller.signal }));
    expect((aborted as Error).name).toBe('AbortError');
    const { session } = await client.session.start({ config: {} });
    const { run } = await client.session.runs.start({ sessionId: session.id, source: say('slow enough') });
    const timedOut = await failure(client.awaitRun(session.id, run.id, { timeoutMs: 1 }));
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect(timedOut).toMatchObject({ operation: `awaiting run ${run.id}`, timeoutMs: 1 });
    // The run went on regardless.
    expect((await client.awaitRun(session.id, run.id)).status).toBe('completed');
  });
});

describe('@lightspeed/client transport failures', () => {
  let silent: Server;
  let silentUrl: string;
  beforeAll(async () => {
    // Accepts requests and never answers: what a hung server looks like from the client.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a server that does not answer is a TimeoutError after timeoutMs, per client or per call', async () => {
    const started = Date.now();
    const error = await failure(new LightspeedClient({ baseUrl: silentUrl, timeoutMs: 150 }).session.list());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ operation: 'session/list', timeoutMs: 150 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await failure(new LightspeedClient({ baseUrl: silentUrl, timeoutMs: 0 }).openStream('s', { timeoutMs: 100 }))).toBeInstanceOf(TimeoutError);
  });

  it('an unreachable server is a ConnectionError naming the address', async () => {
    const port = (silent.address() as AddressInfo).port;
    const closed = `http://127.0.0.1:${port === 65535 ? 1 : port + 1}`;
    const error = await failure(new LightspeedClient({ baseUrl: closed }).session.list());
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain(closed);
  });
});
