import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryApiKeyRegistry } from '../src/auth/api-key-registry.js';
import { apiKeyAuth, singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };

describe('the host feature (Lightspeed extension)', () => {
  let test: TestHost;
  let dir: string;

  beforeAll(async () => {
    test = await startTestHost();
    dir = await mkdtemp(join(tmpdir(), 'ls-host-feature-'));
  });
  afterAll(async () => {
    await test?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is refused unless the server enables it', async () => {
    const app = createGateway({ host: test.host, auth: singleUserAuth() });
    const { json } = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'session/start', params: { sessionId: 'h0', config: { model, features: { host: { root: dir } } } } });
    expect(json.error).toMatchObject({ data: { kind: 'rejected' } });
    expect(json.error.message).toMatch(/features\.host is disabled/);
  });

  it('cannot be enabled for API-key (remote) callers', () => {
    expect(() => createGateway({ host: test.host, auth: apiKeyAuth(new MemoryApiKeyRegistry()), options: { allowHostFeature: true } })).toThrow(/single-user/);
  });

  it('gives an enabled single-user session file and command tools over the directory', async () => {
    const app = createGateway({ host: test.host, auth: singleUserAuth(), options: { allowHostFeature: true } });
    const start = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'session/start', params: { sessionId: 'h1', config: { model, features: { host: { root: dir, exec: true } } } } });
    const tools: string[] = start.json.result.result.session.activeTools.tools.map((tool: any) => tool.toolId);
    expect(tools.length).toBeGreaterThan(0);
    // openai:responses sessions get the Codex-shaped tools, including a shell.
    expect(tools).toContain('shell_command');
    test.fake.enqueue({ toolCalls: [{ name: 'shell_command', arguments: { command: "printf 'from the model\\n' > hello.txt" } }] }, { text: 'Wrote it.' });
    const run = await rpc(app, { jsonrpc: '2.0', id: 2, method: 'session/runs/start', params: { sessionId: 'h1', source: { type: 'input', items: [{ type: 'text', text: 'write a file' }] } } });
    const runId = run.json.result.result.run.id;
    for (let i = 0; i < 200; i++) {
      const read = await rpc(app, { jsonrpc: '2.0', id: 3, method: 'session/read', params: { sessionId: 'h1' } });
      const status = read.json.result.result.session.runs.find((r: any) => r.id === runId)?.status;
      if (status === 'completed' || status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await readFile(join(dir, 'hello.txt'), 'utf8')).toBe('from the model\n');
  });
});
