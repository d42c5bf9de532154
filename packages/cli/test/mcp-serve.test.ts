import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_FROM_SOURCE, cleanEnv, REPO_ROOT, runCli, startServe, tempDir, type CliRun } from './support/cli-harness.js';

/** What the fake provider answers to `text`. */
const echo = (text: string) => `You said: ${text}`;

/** Starts a session, asks it something and reads the answer back three ways, as an MCP client would. */
async function conversation(client: Client): Promise<void> {
  const tools = await client.listTools();
  expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['sessions_read', 'sessions_send', 'sessions_start', 'waits_answer', 'waits_list']);

  const started = await client.callTool({ name: 'sessions_start', arguments: { displayName: 'from mcp' } });
  expect(started.isError).toBeFalsy();
  const sessionId = (started.structuredContent as { sessionId: string }).sessionId;
  expect(sessionId).toBeTruthy();

  const sent = await client.callTool({ name: 'sessions_send', arguments: { sessionId, message: 'hello over mcp' } });
  expect(sent.isError).toBeFalsy();
  const outcome = sent.structuredContent as { runId: string; status: string; done: boolean; answer?: string };
  expect(outcome).toMatchObject({ status: 'completed', done: true });
  expect(outcome.answer).toContain(echo('hello over mcp'));
  expect((sent.content as { type: string; text: string }[])[0]!.text).toContain(echo('hello over mcp'));

  const read = await client.callTool({ name: 'sessions_read', arguments: { sessionId, runId: outcome.runId } });
  const transcript = read.structuredContent as { runs: { runId: string; items: { type: string; role?: string; text?: string }[] }[] };
  expect(transcript.runs).toHaveLength(1);
  expect(transcript.runs[0]!.items).toContainEqual({ type: 'message', role: 'user', text: 'hello over mcp' });
  expect(transcript.runs[0]!.items.some((item) => item.role === 'assistant' && item.text?.includes(echo('hello over mcp')))).toBe(true);

  const resource = await client.readResource({ uri: `lightspeed://sessions/${sessionId}` });
  expect((resource.contents[0] as { text: string }).text).toContain(`assistant: [fake model`);
  const listed = await client.listResources();
  expect(listed.resources.map((entry) => entry.uri)).toContain(`lightspeed://sessions/${sessionId}`);

  const waits = await client.callTool({ name: 'waits_list', arguments: { sessionId } });
  expect(waits.structuredContent).toEqual({ sessionId, waits: [] });

  // A tool failure is a readable tool error, not a protocol error.
  const missing = await client.callTool({ name: 'sessions_read', arguments: { sessionId: 'no-such-session' } });
  expect(missing.isError).toBe(true);
  expect((missing.content as { text: string }[])[0]!.text).toMatch(/^not_found: /);
}

/** A raw HTTP request (node:http, so the Host header is ours to set). */
function rawPost(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      { hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } };

/** An SDK client of `lightspeed mcp …` spawned from source. */
function stdioClient(args: string[], home: string): { client: Client; transport: StdioClientTransport } {
  const transport = new StdioClientTransport({
    command: CLI_FROM_SOURCE[0]!,
    args: [...CLI_FROM_SOURCE.slice(1), 'mcp', ...args],
    env: cleanEnv(home) as Record<string, string>,
    cwd: REPO_ROOT,
    stderr: 'pipe',
  });
  return { client: new Client({ name: 'lightspeed-test', version: '1.0.0' }), transport };
}

describe('lightspeed mcp (stdio)', () => {
  it('lets an MCP client start a session, ask the fake model and read the answer; the project agents are there', async () => {
    const home = await tempDir('ls-mcp-stdio-');
    const agents = join(home.path, 'project', '.lightspeed', 'agents');
    await mkdir(agents, { recursive: true });
    await writeFile(join(agents, 'helper.md'), '---\ndescription: Answers in one line\nlimits:\n  maxTurns: 3\n---\nAnswer in one line.\n');
    const { client, transport } = stdioClient(['--provider', 'fake', '--data-dir', ':memory:', '--project', join(home.path, 'project')], home.path);
    try {
      await client.connect(transport);
      expect(client.getServerVersion()?.name).toBe('lightspeed');
      await conversation(client);
      const started = await client.callTool({ name: 'sessions_start', arguments: { agent: 'helper' } });
      expect(started.structuredContent).toMatchObject({ agent: 'helper' });
      const sent = await client.callTool({ name: 'sessions_send', arguments: { sessionId: (started.structuredContent as { sessionId: string }).sessionId, message: 'one line please' } });
      expect((sent.structuredContent as { answer: string }).answer).toContain(echo('one line please'));
    } finally {
      await client.close();
      await home.remove();
    }
  }, 90_000);
});

describe('/mcp on lightspeed serve (streamable HTTP)', () => {
  let home: { path: string; remove(): Promise<void> };
  let server: { url: string; stop(): Promise<CliRun> };

  beforeAll(async () => {
    home = await tempDir('ls-mcp-http-');
    server = await startServe(['--provider', 'fake', '--data-dir', ':memory:'], cleanEnv(home.path));
  }, 90_000);
  afterAll(async () => {
    expect((await server?.stop())?.code).toBe(0);
    await home?.remove();
  });

  it('lets an MCP client start a session, ask the fake model and read the answer', async () => {
    const client = new Client({ name: 'lightspeed-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
    await client.connect(transport);
    try {
      expect(transport.sessionId).toBeTruthy();
      await conversation(client);
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  }, 60_000);

  it('serves the same tools over stdio for the server at --api-url', async () => {
    const { client, transport } = stdioClient(['--api-url', server.url], home.path);
    try {
      await client.connect(transport);
      await conversation(client);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    const port = new URL(server.url).port;
    const rebound = await rawPost(`${server.url}/mcp`, { host: `attacker.example:${port}` }, initialize);
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('loopback');
    const foreign = await rawPost(`${server.url}/mcp`, { origin: 'https://attacker.example' }, initialize);
    expect(foreign.status).toBe(403);
    const local = await rawPost(`${server.url}/mcp`, { host: `localhost:${port}`, origin: `http://localhost:${port}` }, initialize);
    expect(local.status).toBe(200);
  });

  it('answers a request for an unknown MCP session 404, so the client re-initializes', async () => {
    const stale = await rawPost(`${server.url}/mcp`, { 'mcp-session-id': 'not-a-session' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(stale.status).toBe(404);
  });
});

describe('/mcp on an API-key server', () => {
  it('refuses unauthenticated requests and serves the key holder', async () => {
    const home = await tempDir('ls-mcp-keys-');
    const env = cleanEnv(home.path);
    const keys = join(home.path, 'keys.json');
    try {
      const created = await runCli(['keys', 'create', '--universe', 'team-a', '--api-keys', keys], { env });
      const key = created.stdout.trim();
      const server = await startServe(['--provider', 'fake', '--data-dir', ':memory:', '--api-keys', keys], env);
      try {
        const anonymous = await rawPost(`${server.url}/mcp`, {}, initialize);
        expect(anonymous.status).toBe(401);
        expect(anonymous.body).toContain('missing API key');
        const wrong = await rawPost(`${server.url}/mcp`, { authorization: 'Bearer lsk_000000000000_nope' }, initialize);
        expect(wrong.status).toBe(401);

        const client = new Client({ name: 'lightspeed-test', version: '1.0.0' });
        const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
        await client.connect(transport);
        try {
          await conversation(client);
          // The MCP session is bound to the key that opened it: without the key it is refused.
          const hijack = await rawPost(`${server.url}/mcp`, { 'mcp-session-id': transport.sessionId! }, { jsonrpc: '2.0', id: 9, method: 'tools/list' });
          expect(hijack.status).toBe(401);
        } finally {
          await client.close();
        }
      } finally {
        await server.stop();
      }
    } finally {
      await home.remove();
    }
  }, 90_000);
});
