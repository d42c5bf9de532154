import { prng } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import { methodSpecs } from '../src/schemas/methods.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { b64 } from './support/storage-gateway.js';

/** The seeded PRNG with the helpers the fuzzer needs, so a failure reproduces from its seed. */
function fuzzRandom(seed: number) {
  const next = prng(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}

type Rng = ReturnType<typeof fuzzRandom>;
const methods = Object.keys(methodSpecs);

function junkValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308, Number.MAX_SAFE_INTEGER]);
    case 3:
      return 'x'.repeat(rng.int(40));
    case 4:
      return rng.pick(['', 'sha256:', `sha256:${'f'.repeat(64)}`, '../../etc/passwd', '\u0000', '🙂'.repeat(5)]);
    case 5:
      return rng.pick([[], {}, { type: 'text' }]);
    case 6:
      return Array.from({ length: rng.int(4) }, () => junkValue(rng, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) {
        const key = rng.pick(['sessionId', 'blobs', 'blobRef', 'manifest', 'source', 'items', 'runId', 'keys', 'entries', 'config', 'after', 'x', '__proto__', 'constructor']);
        object[key] = key === 'sessionId' && rng.next() < 0.5 ? 'fuzz' : junkValue(rng, depth + 1);
      }
      return object;
    }
  }
}

function deepNesting(depth: number): string {
  return `{"jsonrpc":"2.0","id":1,"method":"blobs/has","params":{"blobRefs":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
}

/** One malformed request body (string or bytes) of a randomly chosen category. */
function malformedBody(rng: Rng, maxBodyBytes: number): { category: string; body: string | Uint8Array } {
  const category = rng.pick(['bytes', 'wrongTypes', 'unknownMethod', 'hugeId', 'deepNesting', 'oversized', 'version', 'junkBatch', 'truncated']);
  switch (category) {
    case 'bytes':
      return { category, body: Uint8Array.from({ length: 1 + rng.int(200) }, () => rng.int(256)) };
    case 'wrongTypes':
      return { category, body: JSON.stringify({ jsonrpc: '2.0', id: rng.int(1000), method: rng.pick(methods), params: junkValue(rng) }) };
    case 'unknownMethod':
      return { category, body: JSON.stringify({ jsonrpc: '2.0', id: rng.int(1000), method: rng.pick(['session', 'rpc.discover', 'session/start/', 'SESSION/READ', `x/${rng.int(1e9)}`]) }) };
    case 'hugeId':
      return { category, body: JSON.stringify({ jsonrpc: '2.0', id: rng.pick(['i'.repeat(10_000), 1e300, 2 ** 64, { nested: true }, [1]]), method: 'initialize' }) };
    case 'deepNesting':
      return { category, body: deepNesting(rng.pick([100, 5_000, 100_000])) };
    case 'oversized':
      return { category, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'blobs/put', params: { blobs: [{ bytesBase64: 'A'.repeat(maxBodyBytes + rng.int(1000)) }] } }) };
    case 'version':
      return { category, body: JSON.stringify({ jsonrpc: rng.pick(['1.0', 2, null, '2.0 ', undefined]), id: 1, method: 'initialize' }) };
    case 'junkBatch':
      return { category, body: JSON.stringify(Array.from({ length: 1 + rng.int(20) }, () => junkValue(rng))) };
    default: {
      const valid = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
      return { category, body: valid.slice(0, rng.int(valid.length)) };
    }
  }
}

function expectWellFormedError(response: any) {
  expect(response.jsonrpc).toBe('2.0');
  expect('id' in response).toBe(true);
  if ('result' in response) return;
  expect(Number.isInteger(response.error.code)).toBe(true);
  expect(typeof response.error.data.kind).toBe('string');
  expect(response.error.message.length).toBeLessThan(2_000);
  expect(JSON.stringify(response)).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

describe('gateway fuzz', () => {
  const maxBodyBytes = 64 * 1024;
  let server: ServingGateway;
  let test: TestHost;
  const internalErrors: unknown[] = [];

  // The full gateway over the real embedded host: junk reaches session handlers and engine admission too.
  beforeAll(async () => {
    test = await startTestHost();
    const app = createGateway({ host: test.host, auth: singleUserAuth(), options: { maxBodyBytes, onInternalError: (error) => internalErrors.push(error) } });
    server = await serveGateway(app);
    await post(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'session/start', params: { sessionId: 'fuzz', config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' } } } }));
  });
  afterAll(async () => {
    await server?.close();
    await test?.stop();
  });

  async function post(body: string | Uint8Array) {
    const response = await fetch(`${server.url}/rpc`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  async function expectStillCorrect(round: number) {
    const text = `round ${round}`;
    const put = await post(JSON.stringify({ jsonrpc: '2.0', id: round, method: 'blobs/put', params: { blobs: [{ bytesBase64: b64(text) }] } }));
    const ref = put.json.result.result.blobs[0].blobRef;
    const read = await post(JSON.stringify({ jsonrpc: '2.0', id: `r${round}`, method: 'blobs/read', params: { blobRef: ref } }));
    expect(read.json.id).toBe(`r${round}`);
    expect(Buffer.from(read.json.result.result.bytesBase64, 'base64').toString()).toBe(text);
    const session = await post(JSON.stringify({ jsonrpc: '2.0', id: 's', method: 'session/read', params: { sessionId: 'fuzz' } }));
    expect(session.json.result.result.session).toMatchObject({ id: 'fuzz', status: expect.stringMatching(/idle|active/) });
  }

  it('survives 1,200 malformed requests with a well-formed answer each, and keeps serving correct results', async () => {
    const rng = fuzzRandom(0x5eed);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1_200; i++) {
      const { category, body } = malformedBody(rng, maxBodyBytes);
      counts[category] = (counts[category] ?? 0) + 1;
      const { status, json } = await post(body);
      expect([200, 204, 413], `${category} #${i} answered ${status}`).toContain(status);
      if (category === 'oversized') expect(json.error.code).toBe(-32013);
      if (category === 'unknownMethod') expect(json.error.code).toBe(-32601);
      if (category === 'hugeId') expect(json).toMatchObject({ id: null, error: { code: -32600 } });
      if (json !== undefined) (Array.isArray(json) ? json : [json]).forEach(expectWellFormedError);
      if (i % 100 === 0) await expectStillCorrect(i);
    }
    for (const category of ['bytes', 'wrongTypes', 'unknownMethod', 'hugeId', 'deepNesting', 'oversized', 'version', 'junkBatch', 'truncated']) {
      expect(counts[category] ?? 0, category).toBeGreaterThan(50);
    }
    await expectStillCorrect(9_999);
    // Junk is always the client's fault: every answer above was classified, none was an internal error.
    expect(internalErrors.map((error) => String(error))).toEqual([]);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });
});
