import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryApiKeyRegistry } from '../src/auth/api-key-registry.js';
import { apiKeyAuth, singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };

type ToolAnswer = { isError?: boolean; structuredContent?: any; content: { type: string; text: string }[] };

/** An SDK client of the gateway's `/mcp`, served in-process through the app's fetch. */
async function mcpClient(app: Hono, key?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport; tool(name: string, args: Record<string, unknown>): Promise<ToolAnswer> }> {
  const transport = new StreamableHTTPClientTransport(new URL('http://127.0.0.1/mcp'), {
    fetch: async (url, init) => app.fetch(new Request(url, init)),
    ...(key ? { requestInit: { headers: { authorization: `Bearer ${key}` } } } : {}),
  });
  const client = new Client({ name: 'lightspeed-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, tool: async (name, args) => (await client.callTool({ name, arguments: args })) as ToolAnswer };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('timed out');
}

describe('the MCP server at /mcp, over the gateway handlers', () => {
  let test: TestHost;
  let app: Hono;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    test = await startTestHost();
    const registry = new MemoryApiKeyRegistry();
    keyA = (await registry.createApiKey('team-a')).key;
    keyB = (await registry.createApiKey('team-b')).key;
    app = createGateway({ host: test.host, auth: apiKeyAuth(registry) });
    const created = await rpc(
      app,
      { jsonrpc: '2.0', id: 1, method: 'profiles/create', params: { profile: { profileId: 'asker', description: 'asks before it acts', config: { model, features: { askUser: {}, timers: {} }, approvals: { rules: [{ tool: 'sleep', policy: 'ask' }] } } } } },
      { authorization: `Bearer ${keyA}` },
    );
    expect(created.json.error).toBeUndefined();
  });
  afterAll(async () => {
    await test?.stop();
  });

  it('starts a session from an agent, returns the run id when the answer waits on a question, and answers it', async () => {
    const { client, tool } = await mcpClient(app, keyA);
    try {
      const agents = await client.readResource({ uri: 'lightspeed://agents' });
      expect(JSON.parse((agents.contents[0] as { text: string }).text).agents.map((agent: { profileId: string }) => agent.profileId)).toEqual(['asker']);
      const profile = await client.readResource({ uri: 'lightspeed://agents/asker' });
      expect(JSON.parse((profile.contents[0] as { text: string }).text)).toMatchObject({ profileId: 'asker', description: 'asks before it acts' });

      const started = await tool('sessions_start', { agent: 'asker', sessionId: 'mcp-ask' });
      expect(started.structuredContent).toEqual({ sessionId: 'mcp-ask', status: 'idle', agent: 'asker', model: 'fake-echo' });

      test.fake.enqueue({ toolCalls: [{ name: 'ask_user', arguments: { question: 'Deploy to which region?', choices: ['eu', 'us'] } }] }, { text: 'Deploying to eu.' });
      const sent = await tool('sessions_send', { sessionId: 'mcp-ask', message: 'deploy', timeoutMs: 500 });
      expect(sent.isError).toBeFalsy();
      const pending = sent.structuredContent;
      expect(pending).toMatchObject({ sessionId: 'mcp-ask', status: 'running', done: false, openWaits: 1 });
      expect(sent.content[0]!.text).toContain(`poll with sessions_read { sessionId: "mcp-ask", runId: "${pending.runId}" }`);

      const waits = await tool('waits_list', { sessionId: 'mcp-ask' });
      const [wait] = waits.structuredContent.waits;
      expect(wait).toMatchObject({ kind: 'question', question: 'Deploy to which region?', choices: ['eu', 'us'], runId: pending.runId });
      expect(waits.content[0]!.text).toContain('[eu | us]');

      // The action's required text is checked before anything is sent; a refused answer is the server's.
      const bare = await tool('waits_answer', { sessionId: 'mcp-ask', promiseId: wait.promiseId, action: 'answer' });
      expect(bare).toMatchObject({ isError: true, content: [{ text: 'invalid_request: answer needs text: the answer the model receives' }] });
      const off = await tool('waits_answer', { sessionId: 'mcp-ask', promiseId: wait.promiseId, action: 'answer', text: 'mars' });
      expect(off.isError).toBe(true);
      expect(off.content[0]!.text).toContain('"eu", "us"');
      const answered = await tool('waits_answer', { sessionId: 'mcp-ask', promiseId: wait.promiseId, action: 'answer', text: 'eu' });
      expect(answered.structuredContent).toEqual({ promiseId: wait.promiseId, resolution: 'resolved' });

      const done = await until(
        async () => (await tool('sessions_read', { sessionId: 'mcp-ask', runId: pending.runId })).structuredContent,
        (read) => read.runs[0].status === 'completed',
      );
      expect(done.runs[0].items).toContainEqual({ type: 'message', role: 'assistant', text: 'Deploying to eu.' });
      expect(done.runs[0].items).toContainEqual(expect.objectContaining({ type: 'toolResult', isError: false, text: 'eu' }));
    } finally {
      await client.close();
    }
  });

  it('denies an approval with a reason the model receives', async () => {
    const { client, tool } = await mcpClient(app, keyA);
    try {
      await tool('sessions_start', { agent: 'asker', sessionId: 'mcp-approve' });
      test.fake.enqueue({ toolCalls: [{ name: 'sleep', arguments: { seconds: 1, reason: 'nap' } }] }, { text: 'Fine, no nap.' });
      const sent = await tool('sessions_send', { sessionId: 'mcp-approve', message: 'nap', timeoutMs: 0 });
      expect(sent.structuredContent.done).toBe(false);
      const [wait] = await until(async () => (await tool('waits_list', { sessionId: 'mcp-approve' })).structuredContent.waits, (waits) => waits.length > 0);
      expect(wait).toMatchObject({ kind: 'approval', toolName: 'sleep' });
      const withText = await tool('waits_answer', { sessionId: 'mcp-approve', promiseId: wait.promiseId, action: 'approve', text: 'ok' });
      expect(withText.isError).toBe(true);
      const denied = await tool('waits_answer', { sessionId: 'mcp-approve', promiseId: wait.promiseId, action: 'deny', text: 'not now' });
      expect(denied.structuredContent).toEqual({ promiseId: wait.promiseId, resolution: 'failed' });
      const read = await until(
        async () => (await tool('sessions_read', { sessionId: 'mcp-approve' })).structuredContent,
        (view) => view.runs[0].status === 'completed',
      );
      expect(read.runs[0].items).toContainEqual(expect.objectContaining({ type: 'toolResult', isError: true, text: expect.stringContaining('not now') }));
    } finally {
      await client.close();
    }
  });

  it('keeps universes apart: another key sees neither the sessions nor the MCP session', async () => {
    const a = await mcpClient(app, keyA);
    const b = await mcpClient(app, keyB);
    try {
      await a.tool('sessions_start', { sessionId: 'mcp-private' });
      const foreign = await b.tool('sessions_read', { sessionId: 'mcp-private' });
      expect(foreign.isError).toBe(true);
      expect(foreign.content[0]!.text).toMatch(/^not_found: /);
      expect((await b.client.listResources()).resources.map((resource) => resource.uri)).not.toContain('lightspeed://sessions/mcp-private');
      // Key B presenting key A's MCP session id is answered as if the session did not exist.
      const hijack = await app.fetch(
        new Request('http://127.0.0.1/mcp', {
          method: 'POST',
          headers: { authorization: `Bearer ${keyB}`, 'mcp-session-id': a.transport.sessionId!, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' }),
        }),
      );
      expect(hijack.status).toBe(404);
    } finally {
      await a.client.close();
      await b.client.close();
    }
  });

  it('reports a missing session resource as the protocol error for an unknown resource', async () => {
    const { client } = await mcpClient(app, keyA);
    try {
      await expect(client.readResource({ uri: 'lightspeed://sessions/nope' })).rejects.toMatchObject({ code: -32002 });
    } finally {
      await client.close();
    }
  });
});

describe('the MCP server on a single-user gateway', () => {
  let test: TestHost;
  let app: Hono;
  beforeAll(async () => {
    test = await startTestHost();
    app = createGateway({ host: test.host, auth: singleUserAuth() });
  });
  afterAll(async () => {
    await test?.stop();
  });

  it('refuses a rebound Host and a page from another site, and serves loopback names', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } };
    const post = (headers: Record<string, string>) =>
      app.fetch(new Request('http://127.0.0.1/mcp', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(init) }));
    expect((await post({ host: 'rebound.example:7420' })).status).toBe(403);
    expect((await post({ origin: 'http://rebound.example:7420' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    for (const host of ['127.0.0.1:7420', 'localhost:7420', '[::1]:7420']) expect((await post({ host })).status).toBe(200);
  });

  it('serves without a key and closes a session on DELETE', async () => {
    const { client, transport, tool } = await mcpClient(app);
    const started = await tool('sessions_start', {});
    expect(started.structuredContent.model).toBe('fake-echo');
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const after = await app.fetch(
      new Request('http://127.0.0.1/mcp', { method: 'POST', headers: { 'mcp-session-id': sessionId, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) }),
    );
    expect(after.status).toBe(404);
    await client.close();
  });
});

describe('MCP resumability on /mcp', () => {
  let test: TestHost;
  let app: Hono;
  beforeAll(async () => {
    test = await startTestHost({ latencyMs: 30 });
    app = createGateway({ host: test.host, auth: singleUserAuth() });
  });
  afterAll(async () => {
    await test?.stop();
  });

  const headers = (sessionId?: string) => ({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...(sessionId ? { 'mcp-session-id': sessionId } : {}) });
  const post = (body: unknown, sessionId?: string) => app.fetch(new Request('http://127.0.0.1/mcp', { method: 'POST', headers: headers(sessionId), body: JSON.stringify(body) }));

  /** The SSE events of a response body until `stop` says enough (or the body ends). */
  async function sseEvents(response: Response, stop: (events: { id?: string; data: string }[]) => boolean): Promise<{ id?: string; data: string }[]> {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const events: { id?: string; data: string }[] = [];
    let buffer = '';
    while (!stop(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: ?(.*)$/m.exec(frame)?.[1];
        const data = [...frame.matchAll(/^data: ?(.*)$/gm)].map((match) => match[1]).join('\n');
        events.push({ ...(id !== undefined ? { id } : {}), data });
      }
    }
    await reader.cancel();
    return events;
  }

  // Streams are resumable from protocol version 2025-11-25 on: its clients get a priming event id.
  it('replays a tool result the client missed when it reconnects with Last-Event-ID', async () => {
    const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } });
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.body?.cancel();
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId);
    const start = await sseEvents(await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'sessions_start', arguments: { sessionId: 'resumed' } } }, sessionId), (events) => events.some((event) => event.data.includes('"id":2')));
    expect(start.some((event) => event.data.includes('resumed'))).toBe(true);

    // The client drops the call's stream after its first (priming) event, before the answer.
    const call = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'sessions_send', arguments: { sessionId: 'resumed', message: 'say something long enough to miss' } } }, sessionId);
    const [priming] = await sseEvents(call, (events) => events.length > 0);
    expect(priming?.id).toBeTruthy();

    const resumed = await app.fetch(new Request('http://127.0.0.1/mcp', { method: 'GET', headers: { ...headers(sessionId), accept: 'text/event-stream', 'last-event-id': priming!.id! } }));
    expect(resumed.status).toBe(200);
    const replayed = await sseEvents(resumed, (events) => events.some((event) => event.data.includes('"id":3')));
    const answer = JSON.parse(replayed.find((event) => event.data.includes('"id":3'))!.data);
    expect(answer.result.structuredContent).toMatchObject({ status: 'completed', done: true, answer: expect.stringContaining('You said: say something long enough to miss') });
  });
});
