// A refusal is its own run outcome (issue 20): replayed from a real recorded Anthropic stream
// (packages/llm/test/fixtures/recorded/anthropic/refusal-stop-details.chunks.txt; provenance in
// that folder's README), the run fails as `refused` with the provider's explanation, never as a
// completed run with an empty answer.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const recording = readFileSync(fileURLToPath(new URL('../../llm/test/fixtures/recorded/anthropic/refusal-stop-details.chunks.txt', import.meta.url)), 'utf8');

describe('a refusal ends the run as refused', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let id = 0;
  const result = async (method: string, params: unknown) => {
    const { json } = await rpc(app, { jsonrpc: '2.0', id: ++id, method, params });
    if (json.error) throw new Error(`${method}: ${json.error.message}`);
    return json.result.result;
  };

  beforeAll(async () => {
    test = await startTestHost();
    app = createGateway({ host: test.host, auth: singleUserAuth() });
  });
  afterAll(async () => {
    await test?.stop();
  });

  it('with the explanation Anthropic sent in stop_details', async () => {
    await result('session/start', { sessionId: 'refused', config: { model: { providerId: 'fake', apiKind: 'anthropic:messages', model: 'claude-fable-5' } } });
    test.fake.enqueue({ replay: recording });
    const { run } = await result('session/runs/start', { sessionId: 'refused', source: { type: 'input', items: [{ type: 'text', text: 'something blocked' }] } });
    let view: any;
    for (let i = 0; i < 200; i++) {
      view = (await result('session/read', { sessionId: 'refused' })).session.runs.find((r: any) => r.id === run.id);
      if (view.status !== 'running' && view.status !== 'queued') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(view.status).toBe('failed');
    expect(view.failure).toMatchObject({ code: 'refused', explanationRef: expect.stringMatching(/^sha256:/) });
    expect(view.failure.message).toBe("the model refused: This request triggered restrictions on violative cyber content and was blocked under Anthropic's Usage Policy.");
    const blob = await result('blobs/read', { blobRef: view.failure.explanationRef });
    expect(Buffer.from(blob.bytesBase64, 'base64').toString('utf8')).toContain('violative cyber content');
    const { events } = await result('session/events/read', { sessionId: 'refused', limit: 200 });
    expect(events.map((e: any) => e.kind).find((k: any) => k.type === 'runFailed')).toMatchObject({ message: view.failure.message });
  });
});
