import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { McpServerStore } from '@lightspeed/ports';
import { MemoryMcpServerStore, StoredMcpServerRegistry } from '@lightspeed/tools';
import { startBearerMcpServer, type BearerMcpServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryApiKeyRegistry } from '../src/auth/api-key-registry.js';
import { apiKeyAuth, singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import { ContractValidator } from './support/contract-validator.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';

const require = createRequire(import.meta.url);
const everythingBin = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');
const TOKEN = 'tok-9f2c-never-stored';
/** The server's environment: the records name TEST_MCP_TOKEN, only this holds its value. */
const serverEnv = { TEST_MCP_TOKEN: TOKEN };
const API_KINDS = ['openai:responses', 'openai:completions', 'anthropic:messages'] as const;

describe('MCP server records through the API', () => {
  const contract = new ContractValidator();
  const stores = new Map<string, McpServerStore>();
  const catalog = (universe: string) => stores.get(universe) ?? stores.set(universe, new MemoryMcpServerStore()).get(universe)!;
  let test: TestHost;
  let gateway: ServingGateway;
  let http: BearerMcpServer;
  let nextId = 1;

  beforeAll(async () => {
    http = await startBearerMcpServer(TOKEN);
    test = await startTestHost({ mcpServersOf: (universe) => new StoredMcpServerRegistry(catalog(universe), serverEnv) });
    gateway = await serveGateway(createGateway({ host: test.host, auth: singleUserAuth(), options: { longPollCapMs: 2_000, mcpServers: { catalog, env: serverEnv } } }));
  });
  afterAll(async () => {
    await gateway?.close();
    await test?.stop();
    await http?.close();
  });

  async function rpc(method: string, params: Record<string, unknown>, url = gateway.url, headers: Record<string, string> = {}): Promise<any> {
    const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }) });
    return response.json();
  }

  async function call(method: string, params: Record<string, unknown>, options: { checkContract?: boolean } = {}): Promise<any> {
    const body = await rpc(method, params);
    if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { rpc: body.error });
    if (options.checkContract !== false) {
      expect(contract.check(contract.paramsRef(method), params), `${method} params`).toEqual([]);
      expect(contract.check(contract.resultRef(method), body.result), `${method} result`).toEqual([]);
    }
    return body.result.result;
  }

  async function fails(method: string, params: Record<string, unknown>): Promise<{ code: number; message: string; data: { kind: string } }> {
    const body = await rpc(method, params);
    expect(body.error, `${method} should fail`).toBeDefined();
    expect(contract.check('#/definitions/JsonRpcError', body.error)).toEqual([]);
    return body.error;
  }

  /** Starts a run in which the fake model calls `toolName` with `args`, and returns the tool result text. */
  async function runToolCall(sessionId: string, toolName: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }> {
    test.fake.enqueue({ toolCalls: [{ name: toolName, arguments: args }] }, { text: 'done' });
    const { run } = await call('session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text: `use ${toolName}` }] } });
    for (let i = 0; i < 200; i++) {
      const { session } = await call('session/read', { sessionId }, { checkContract: false });
      const current = session.runs.find((r: any) => r.id === run.id);
      if (['completed', 'failed', 'cancelled'].includes(current?.status)) {
        expect(current.status).toBe('completed');
        const result = current.entries.find((entry: any) => entry.kind.type === 'toolResult');
        return { text: result.text, isError: result.kind.isError };
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`run ${run.id} did not finish`);
  }

  it('registers the reference server-everything over stdio; on every API kind the model calls its echo tool and gets the answer', async () => {
    const put = await call(
      'mcp/servers/put',
      { server: { serverId: 'everything', transport: 'stdio', stdio: { command: process.execPath, args: [everythingBin, 'stdio'] }, displayName: 'Everything' } },
      { checkContract: false }, // transport "stdio" is our extension
    );
    expect(put.server).toMatchObject({ serverId: 'everything', transport: 'stdio', serverUrl: `stdio:${process.execPath}`, defaultServerLabel: 'everything', status: 'active', revision: 1 });
    for (const apiKind of API_KINDS) {
      const sessionId = `everything-${apiKind.replace(':', '-')}`;
      const { session } = await call('session/start', {
        sessionId,
        config: { model: { providerId: 'fake', apiKind, model: 'fake-echo' }, features: { mcp: { servers: [{ serverId: 'everything', allowedTools: ['echo', 'add'] }] } } },
      });
      const toolIds = session.activeTools.tools.map((tool: any) => tool.toolId).sort();
      expect(toolIds).toEqual(['mcp__everything__add', 'mcp__everything__echo']);
      const result = await runToolCall(sessionId, 'mcp__everything__echo', { message: `hello over ${apiKind}` });
      expect(result.isError).toBe(false);
      expect(JSON.parse(result.text).content).toEqual([{ type: 'text', text: `Echo: hello over ${apiKind}` }]);
    }
  });

  it('registers a streamable HTTP server whose bearer token comes from an env var; the token is never in the record or the log', async () => {
    const server = { serverId: 'adder', serverUrl: http.url, defaultServerLabel: 'adder', transport: 'streamableHttp', authPolicy: { type: 'requiredBearer' }, bearerTokenEnvVar: 'TEST_MCP_TOKEN' };
    const put = await call('mcp/servers/put', { server });
    expect(put.server).toMatchObject({ serverId: 'adder', serverUrl: http.url, transport: 'streamableHttp', bearerTokenEnvVar: 'TEST_MCP_TOKEN', status: 'active', revision: 1 });
    expect(put.server.publicAddressesOnly).toBeUndefined();
    const sessionId = 'adder-session';
    const { session } = await call('session/start', { sessionId, config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' }, features: { mcp: { servers: [{ serverId: 'adder' }] } } } });
    expect(session.activeTools.tools.map((tool: any) => tool.toolId)).toEqual(['mcp__adder__add']);
    const result = await runToolCall(sessionId, 'mcp__adder__add', { a: 2, b: 40 });
    expect(result.isError).toBe(false);
    expect(JSON.parse(result.text)).toEqual({ content: [{ type: 'text', text: 'sum=42' }] });
    expect(http.authorizations.every((value) => value === `Bearer ${TOKEN}`)).toBe(true);

    const everything = JSON.stringify([await call('mcp/servers/list', {}, { checkContract: false }), await call('session/read', { sessionId }, { checkContract: false }), await call('session/events/read', { sessionId, limit: 1000 }, { checkContract: false })]);
    expect(everything).not.toContain(TOKEN);
    for (const store of stores.values()) expect(JSON.stringify(await store.list())).not.toContain(TOKEN);
    // Nor in CAS: no blob the session wrote holds it.
    const refs = [...everything.matchAll(/sha256:[0-9a-f]{64}/g)].map((m) => m[0]);
    for (const ref of new Set(refs)) {
      const bytes = await test.host.blobs('local').get(ref as `sha256:${string}`);
      if (bytes) expect(Buffer.from(bytes).toString('utf8')).not.toContain(TOKEN);
    }
  });

  it('refuses an unknown serverId at session/start and session/config/put, naming the field', async () => {
    const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };
    const config = { model, features: { mcp: { servers: [{ serverId: 'adder' }, { serverId: 'nope' }] } } };
    await call('mcp/servers/put', { server: { serverId: 'adder', serverUrl: http.url, defaultServerLabel: 'adder', bearerTokenEnvVar: 'TEST_MCP_TOKEN' } });
    const refused = await fails('session/start', { sessionId: 'unknown-mcp', config });
    expect(refused.code).toBe(-32602);
    expect(refused.data.kind).toBe('invalid_request');
    expect(refused.message).toMatch(/^config\.features\.mcp\.servers\[1\]\.serverId: MCP server "nope" is not registered/);
    expect((await fails('session/read', { sessionId: 'unknown-mcp' })).data.kind).toBe('not_found');

    await call('session/start', { sessionId: 'reconfigure-mcp', config: { model } });
    const reconfigure = await fails('session/config/put', { sessionId: 'reconfigure-mcp', config: { model, features: { mcp: { servers: [{ serverId: 'gone' }] } } } });
    expect(reconfigure.message).toMatch(/^config\.features\.mcp\.servers\[0\]\.serverId: MCP server "gone" is not registered/);
    expect((await call('session/read', { sessionId: 'reconfigure-mcp' }, { checkContract: false })).session.configRevision).toBe(1);
  });

  it('reads, lists, replaces with a revision check and deletes records', async () => {
    const server = { serverId: 'crud', serverUrl: 'https://mcp.example/mcp', defaultServerLabel: 'crud' };
    const first = await call('mcp/servers/put', { server });
    const second = await call('mcp/servers/put', { server: { ...server, description: 'second' }, expectedRevision: first.server.revision });
    expect(second.server).toMatchObject({ revision: 2, description: 'second', createdAtMs: first.server.createdAtMs });
    expect((await fails('mcp/servers/put', { server, expectedRevision: 1 })).data.kind).toBe('conflict');
    expect((await call('mcp/servers/read', { serverId: 'crud' })).server.revision).toBe(2);
    // The list also holds the stdio record (transport "stdio" is our extension of the contract).
    expect((await call('mcp/servers/list', {}, { checkContract: false })).servers.map((s: any) => s.serverId)).toContain('crud');
    expect((await call('mcp/servers/list', { status: 'disabled' })).servers).toEqual([]);
    expect((await call('mcp/servers/delete', { serverId: 'crud' })).server.serverId).toBe('crud');
    expect((await fails('mcp/servers/read', { serverId: 'crud' })).data.kind).toBe('not_found');
    expect((await fails('mcp/servers/delete', { serverId: 'crud' })).data.kind).toBe('not_found');
  });

  it('reports needsAuthConfig while a named env var is unset, and refuses fields that would store secrets or do nothing', async () => {
    const base = { serverId: 'strict', serverUrl: 'https://mcp.example/mcp', defaultServerLabel: 'strict' };
    expect((await call('mcp/servers/put', { server: { ...base, bearerTokenEnvVar: 'NOT_SET_ANYWHERE' } })).server.status).toBe('needsAuthConfig');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ headers: { Authorization: 'Bearer abc' } }, /^server\.headers\.Authorization: credentials are never stored/],
      [{ transport: 'sse' }, /^server\.transport: "sse" is not supported/],
      [{ authPolicy: { type: 'requiredBearer' } }, /^server\.bearerTokenEnvVar:/],
      [{ credential: { type: 'authGrant', grantId: 'g1' } }, /^server\.credential:/],
      [{ approvalDefault: 'always' }, /^server\.approvalDefault:/],
      [{ serverUrl: 'file:///etc/passwd' }, /^server\.serverUrl: must be an http/],
      [{ serverUrl: 'https://user:pw@mcp.example/' }, /^server\.serverUrl: must not carry credentials/],
    ];
    for (const [change, message] of cases) {
      const error = await fails('mcp/servers/put', { server: { ...base, ...change } });
      expect(error.data.kind, JSON.stringify(change)).toBe('invalid_request');
      expect(error.message).toMatch(message);
    }
  });

  it('refuses what a browser sends from another site (a page must not register a command to run)', async () => {
    const stdioPut = (serverId: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'mcp/servers/put', params: { server: { serverId, transport: 'stdio', stdio: { command: 'sh', args: ['-c', 'touch /tmp/pwned'] } } } });
    // A "simple" cross-origin request: no preflight, text/plain body, the browser adds Origin.
    const crossSite = await fetch(`${gateway.url}/rpc`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body: stdioPut('evil') });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as any).error).toMatchObject({ data: { kind: 'rejected' } });
    const rebound = await fetch(`${gateway.url}/rpc`, { method: 'POST', headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' }, body: stdioPut('evil2') });
    expect(rebound.status).toBe(403);
    expect((await fails('mcp/servers/read', { serverId: 'evil' })).data.kind).toBe('not_found');
    const local = await fetch(`${gateway.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:5173' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'mcp/servers/list', params: {} }) });
    expect(local.status).toBe(200);
  });

  it('on a multi-user (API-key) server refuses stdio servers and env var credentials', async () => {
    const keys = new MemoryApiKeyRegistry();
    const { key } = await keys.createApiKey('tenant-a');
    const multi = await serveGateway(createGateway({ host: test.host, auth: apiKeyAuth(keys), options: { mcpServers: { catalog, env: serverEnv } } }));
    try {
      const headers = { authorization: `Bearer ${key}` };
      const stdio = await rpc('mcp/servers/put', { server: { serverId: 'x', transport: 'stdio', stdio: { command: 'sh', args: ['-c', 'id'] } } }, multi.url, headers);
      expect(stdio.error).toMatchObject({ data: { kind: 'rejected' } });
      expect(stdio.error.message).toMatch(/^server\.transport: stdio servers run a command on this server/);
      const env = await rpc('mcp/servers/put', { server: { serverId: 'y', serverUrl: 'https://evil.example/', defaultServerLabel: 'y', bearerTokenEnvVar: 'TEST_MCP_TOKEN' } }, multi.url, headers);
      expect(env.error).toMatchObject({ data: { kind: 'rejected' } });
      const plain = await rpc('mcp/servers/put', { server: { serverId: 'z', serverUrl: 'https://mcp.example/', defaultServerLabel: 'z' } }, multi.url, headers);
      expect(plain.result.result.server).toMatchObject({ serverId: 'z', publicAddressesOnly: true });
      // Tenants do not see each other's registrations.
      expect((await call('mcp/servers/list', {}, { checkContract: false })).servers.map((s: any) => s.serverId)).not.toContain('z');
    } finally {
      await multi.close();
    }
    expect(() => createGateway({ host: test.host, auth: apiKeyAuth(keys), options: { mcpServers: { catalog, trusted: true } } })).toThrow(/single-user/);
  });
});
