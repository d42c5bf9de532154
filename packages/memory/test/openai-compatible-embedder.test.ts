import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeEmbedding, startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, EmbedderConfigSchema, EmbedderError, OpenAICompatibleEmbedder } from '../src/index.js';

/**
 * A real HTTP server in front of the fake provider that answers the first `failures` embeddings
 * requests itself (429 with Retry-After, or 503) and forwards the rest: the embedder's retries
 * are exercised over the wire.
 */
async function startFlakyProxy(target: string, failures: { status: number; retryAfter?: string }[]): Promise<{ url: string; hits: number[]; close(): Promise<void> }> {
  const hits: number[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(Date.now());
    const failure = failures.shift();
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'application/json', ...(failure.retryAfter ? { 'retry-after': failure.retryAfter } : {}) });
      res.end(JSON.stringify({ error: { message: 'slow down', type: failure.status === 429 ? 'rate_limit_error' : 'server_error', code: null } }));
      return;
    }
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('OpenAI-compatible embedder against the fake provider', () => {
  let fake: FakeProvider;
  let keyed: FakeProvider;
  beforeAll(async () => {
    fake = await startFakeProvider({});
    keyed = await startFakeProvider({ requireApiKey: 'sk-test-embedder-key' });
  });
  afterAll(async () => {
    await fake.stop();
    await keyed.stop();
  });

  it('embeds in batches, in order, the same vectors as the in-process fake', async () => {
    const embedder = new OpenAICompatibleEmbedder({ baseUrl: `${fake.url}/v1`, model: 'fake-embedding', dimensions: 64, batchSize: 3 });
    const texts = Array.from({ length: 7 }, (_, i) => `event number ${i} about deploys`);
    const before = fake.requests.filter((r) => r.path === '/v1/embeddings').length;
    const vectors = await embedder.embed(texts);
    expect(fake.requests.filter((r) => r.path === '/v1/embeddings').length - before).toBe(3);
    expect(vectors).toHaveLength(7);
    vectors.forEach((vector, i) => {
      expect(vector).toHaveLength(64);
      const expected = fakeEmbedding(texts[i]!, 64);
      for (let d = 0; d < 64; d += 1) expect(vector[d]).toBeCloseTo(expected[d]!, 6);
    });
    expect(embedder.model).toBe('openai-compatible:fake-embedding:64');
  });

  it('reads the key from the variable the config names and sends it', async () => {
    const embedder = createEmbedder(
      EmbedderConfigSchema.parse({ kind: 'openai-compatible', baseUrl: `${keyed.url}/v1`, model: 'fake-embedding', apiKeyEnv: 'EMBED_KEY', dimensions: 64 }),
      { EMBED_KEY: 'sk-test-embedder-key' },
    );
    const [vector] = await embedder.embed(['hello']);
    expect(vector).toHaveLength(64);
  });

  it('a refused key is a typed forbidden error that does not carry the key', async () => {
    const embedder = new OpenAICompatibleEmbedder({ baseUrl: `${keyed.url}/v1`, model: 'fake-embedding', dimensions: 64, apiKey: 'sk-wrong-secret-value', maxRetries: 0 });
    const error = await embedder.embed(['hello']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbedderError);
    expect((error as EmbedderError).code).toBe('forbidden');
    expect((error as EmbedderError).details).toMatchObject({ status: 401 });
    expect(JSON.stringify({ message: (error as Error).message, details: (error as EmbedderError).details })).not.toContain('sk-wrong-secret-value');
  });

  it('an unset key variable is refused naming the field and the variable', () => {
    const config = EmbedderConfigSchema.parse({ kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', model: 'm', apiKeyEnv: 'NOT_SET_ANYWHERE', dimensions: 8 });
    expect(() => createEmbedder(config, {})).toThrow(/memory\.embedder\.apiKeyEnv: the environment variable NOT_SET_ANYWHERE is not set/);
  });

  it('retries a 429 after the Retry-After it asks for, and a 503, then succeeds', async () => {
    const proxy = await startFlakyProxy(fake.url, [{ status: 429, retryAfter: '1' }, { status: 503 }]);
    try {
      const embedder = new OpenAICompatibleEmbedder({ baseUrl: `${proxy.url}/v1`, model: 'fake-embedding', dimensions: 64 });
      const [vector] = await embedder.embed(['retry me']);
      expect(vector).toHaveLength(64);
      expect(proxy.hits).toHaveLength(3);
      expect(proxy.hits[1]! - proxy.hits[0]!).toBeGreaterThanOrEqual(950);
    } finally {
      await proxy.close();
    }
  });

  it('still failing after the retries is a typed unavailable error with the status', async () => {
    const proxy = await startFlakyProxy(fake.url, [{ status: 500 }, { status: 500 }, { status: 500 }]);
    try {
      const embedder = new OpenAICompatibleEmbedder({ baseUrl: `${proxy.url}/v1`, model: 'fake-embedding', dimensions: 64, maxRetries: 2 });
      const error = await embedder.embed(['x']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbedderError);
      expect(error).toMatchObject({ code: 'unavailable', details: { status: 500 } });
      expect(proxy.hits).toHaveLength(3);
    } finally {
      await proxy.close();
    }
  });

  it('a vector of another size than the config says is refused naming dimensions', async () => {
    const embedder = new OpenAICompatibleEmbedder({ baseUrl: `${fake.url}/v1`, model: 'fake-embedding', dimensions: 32 });
    await expect(embedder.embed(['x'])).rejects.toThrow(/returned 64 dimensions, the config says 32; set memory\.embedder\.dimensions/);
  });

  it('a model whose size is not known needs dimensions; OpenAI models do not', () => {
    expect(() => new OpenAICompatibleEmbedder({ baseUrl: `${fake.url}/v1`, model: 'nomic-embed-text' })).toThrow(/memory\.embedder\.dimensions/);
    expect(new OpenAICompatibleEmbedder({ baseUrl: `${fake.url}/v1`, model: 'text-embedding-3-small' }).dimensions).toBe(1536);
  });
});

describe('embedder config', () => {
  it('refuses unknown fields, naming them', () => {
    const result = EmbedderConfigSchema.safeParse({ kind: 'local', modle: 'x' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['modle'] });
  });

  it('refuses a local model other than all-MiniLM-L6-v2 and an unknown kind', () => {
    expect(EmbedderConfigSchema.safeParse({ kind: 'local', model: 'bge-small' }).success).toBe(false);
    expect(EmbedderConfigSchema.safeParse({ kind: 'cohere' }).success).toBe(false);
  });

  it('makes the fake and the local embedder', () => {
    expect(createEmbedder({ kind: 'fake' }).model).toBe('fake:64');
    expect(createEmbedder({ kind: 'fake', dimensions: 16 }).dimensions).toBe(16);
    expect(createEmbedder({ kind: 'local', cacheDir: '/nonexistent' }).model).toBe('local:all-MiniLM-L6-v2');
  });
});
