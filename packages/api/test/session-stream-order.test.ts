import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAuth } from '../src/auth/gateway-auth.js';
import { MemoryApiKeyRegistry } from '../src/auth/api-key-registry.js';
import { createMethodHandlers } from '../src/gateway/create-gateway.js';
import { createRpcGateway } from '../src/gateway/rpc-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import type { SessionEventFeed } from '../src/stream/session-event-feed.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { openSse } from './support/sse-client.js';

const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/*
 * A slow store read (or a consumer that keeps the stream loop busy) lets a turn's last deltas and
 * its durable end land while a page is being read. Issue 20: the page was written first, so
 * `runCompleted` reached the client before the tail of the answer and the CLI stopped reading.
 */
describe('SSE ordering: a turn’s deltas precede the durable events that end it', () => {
  let test: TestHost;
  let server: ServingGateway;
  let key: string;

  beforeAll(async () => {
    test = await startTestHost();
    const registry = new MemoryApiKeyRegistry();
    key = (await registry.createApiKey('u-order')).key;
    const { handlers, feed } = createMethodHandlers(test.host);
    // The host's own feed, each read made slow.
    const slow: SessionEventFeed = {
      read: async (...args) => {
        await sleep(150);
        return feed.read(...args);
      },
      wait: (...args) => feed.wait(...args),
      subscribeDeltas: (...args) => feed.subscribeDeltas(...args),
    };
    server = await serveGateway(createRpcGateway({ handlers, feed: slow, blobsOf: (universe) => test.host.blobs(universe), auth: apiKeyAuth(registry), options: { heartbeatMs: 2_000 } }));
  });
  afterAll(async () => {
    await server?.close();
    await test?.stop();
  });

  async function call(method: string, params: unknown): Promise<any> {
    const response = await fetch(`${server.url}/rpc`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    const body = (await response.json()) as any;
    if (body.error) throw new Error(body.error.message);
    return body.result.result;
  }

  it('every text delta of the run arrives before runCompleted, under slow reads', async () => {
    await call('session/start', { sessionId: 'order-1', config: { model } });
    const stream = await openSse(`${server.url}/sessions/order-1/stream`, { authorization: `Bearer ${key}` });
    try {
      await stream.next((event) => event.event === 'event');
      const answer = 'The whole answer must reach the client before the run is reported complete.';
      test.fake.enqueue({ text: answer, chunkChars: 3, chunkLatencyMs: 1 });
      const { run } = await call('session/runs/start', { sessionId: 'order-1', source: { type: 'input', items: [{ type: 'text', text: 'go' }] } });
      let text = '';
      for (;;) {
        const event = await stream.next((e) => e.event === 'delta' || e.event === 'event', 10_000);
        if (event.event === 'delta') text += JSON.parse(event.data).delta.text;
        else if (JSON.parse(event.data).kind.type === 'runCompleted' && JSON.parse(event.data).kind.runId === run.id) break;
      }
      expect(text).toBe(answer);
    } finally {
      await stream.close();
    }
  }, 30_000);
});
