import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { buildContractArtifacts, METHODS_FILE, SCHEMA_FILE } from '../src/contract/artifacts.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { MAX_BLOB_HAS_REFS, MAX_BLOB_PUT_ITEMS, MAX_CONFIG_LIST_ITEMS, MAX_CONTEXT_APPEND_ENTRIES, MAX_CONTEXT_KEYS, MAX_INPUT_ITEMS } from '../src/schemas/limits.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { b64, rpc, storageGateway } from './support/storage-gateway.js';

type Schema = Record<string, any>;

/** JSON pointers of every array reachable from `root` that has no maxItems (refs followed once). */
function uncappedArrays(root: Schema, definitions: Record<string, Schema>): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (node: unknown, at: string): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${at}/${i}`));
    const schema = node as Schema;
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.replace('#/definitions/', '');
      if (!seen.has(name)) {
        seen.add(name);
        walk(definitions[name], name);
      }
    }
    const types = ([] as unknown[]).concat(schema.type ?? []);
    if (types.includes('array') && typeof schema.maxItems !== 'number') found.push(at);
    for (const [key, value] of Object.entries(schema)) if (key !== '$ref') walk(value, `${at}/${key}`);
  };
  walk(root, '');
  return found;
}

const refs = (n: number) => Array.from({ length: n }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);

describe('array limits in method params', () => {
  it('every array in every method’s params has a documented maxItems in the generated schema', () => {
    const artifacts = buildContractArtifacts();
    const definitions = (artifacts[SCHEMA_FILE] as { definitions: Record<string, Schema> }).definitions;
    const methods = (artifacts[METHODS_FILE] as { methods: { method: string; params: { schema: Schema } }[] }).methods;
    const uncapped = methods.flatMap(({ method, params }) => uncappedArrays(params.schema, definitions).map((at) => `${method}: ${at}`));
    expect(uncapped).toEqual([]);
    expect(definitions.BlobHasParams!.properties.blobRefs.maxItems).toBe(MAX_BLOB_HAS_REFS);
  });

  it('refuses a blobs/has over the limit with invalid params naming the field and the limit, under the request id', async () => {
    const { app } = storageGateway();
    const started = performance.now();
    const { status, json } = await rpc(app, { jsonrpc: '2.0', id: 'too-many', method: 'blobs/has', params: { blobRefs: refs(100_000) } });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(status).toBe(200);
    expect(json.id).toBe('too-many');
    expect(json.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    expect(json.error.message).toContain('blobRefs');
    expect(json.error.message).toContain(`at most ${MAX_BLOB_HAS_REFS} items`);
  });

  it('answers blobs/has at exactly the limit, in request order', async () => {
    const { app } = storageGateway();
    const put = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'blobs/put', params: { blobs: [{ bytesBase64: b64('kept') }] } });
    const stored = put.json.result.result.blobs[0].blobRef as string;
    const asked = [...refs(MAX_BLOB_HAS_REFS - 2), stored, 'not-a-ref'];
    const { json } = await rpc(app, { jsonrpc: '2.0', id: 2, method: 'blobs/has', params: { blobRefs: asked } });
    const blobs = json.result.result.blobs as { blobRef: string; exists: boolean }[];
    expect(blobs.map((b) => b.blobRef)).toEqual(asked);
    expect(blobs.filter((b) => b.exists).map((b) => b.blobRef)).toEqual([stored]);
  });

  it('refuses blobs/put with more items than the limit', async () => {
    const { app } = storageGateway();
    const blobs = Array.from({ length: MAX_BLOB_PUT_ITEMS + 1 }, () => ({ bytesBase64: '' }));
    const { json } = await rpc(app, { jsonrpc: '2.0', id: 3, method: 'blobs/put', params: { blobs } });
    expect(json).toMatchObject({ id: 3, error: { code: -32602 } });
    expect(json.error.message).toContain(`blobs: at most ${MAX_BLOB_PUT_ITEMS} items`);
  });
});

describe('array limits of the session methods', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let id = 0;
  const call = async (method: string, params: unknown) => (await rpc(app, { jsonrpc: '2.0', id: ++id, method, params })).json;
  const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };

  beforeAll(async () => {
    test = await startTestHost();
    app = createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model } });
    await call('session/start', { sessionId: 'limits' });
  });
  afterAll(async () => {
    await test?.stop();
  });

  const text = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'text', text: `item ${i}` }));
  const cases: [string, string, () => unknown, number][] = [
    ['session/context/append', 'entries', () => ({ sessionId: 'limits', entries: text(MAX_CONTEXT_APPEND_ENTRIES + 1).map((item, i) => ({ key: `k${i}`, item })) }), MAX_CONTEXT_APPEND_ENTRIES],
    ['session/context/remove', 'keys', () => ({ sessionId: 'limits', keys: Array.from({ length: MAX_CONTEXT_KEYS + 1 }, (_, i) => `k${i}`) }), MAX_CONTEXT_KEYS],
    ['session/runs/start', 'source.items', () => ({ sessionId: 'limits', source: { type: 'input', items: text(MAX_INPUT_ITEMS + 1) } }), MAX_INPUT_ITEMS],
    ['session/runs/steer', 'items', () => ({ sessionId: 'limits', runId: 'r', items: text(MAX_INPUT_ITEMS + 1) }), MAX_INPUT_ITEMS],
    [
      'session/config/put',
      'config.features.mcp.servers.0.allowedTools',
      () => ({ sessionId: 'limits', config: { features: { mcp: { servers: [{ serverId: 's', allowedTools: Array.from({ length: MAX_CONFIG_LIST_ITEMS + 1 }, (_, i) => `t${i}`) }] } } } }),
      MAX_CONFIG_LIST_ITEMS,
    ],
  ];

  it.each(cases)('%s refuses %s over the limit', async (method, field, params, max) => {
    const answer = await call(method, params());
    expect(answer).toMatchObject({ id, error: { code: -32602, data: { kind: 'invalid_request' } } });
    expect(answer.error.message).toContain(`${field}: at most ${max} items`);
  });

  it('accepts a context append of exactly the limit', async () => {
    const entries = text(MAX_CONTEXT_APPEND_ENTRIES).map((item, i) => ({ key: `edge${i}`, item }));
    const answer = await call('session/context/append', { sessionId: 'limits', entries });
    expect(answer.error).toBeUndefined();
    expect(answer.result.result.results).toHaveLength(MAX_CONTEXT_APPEND_ENTRIES);
  });
});
