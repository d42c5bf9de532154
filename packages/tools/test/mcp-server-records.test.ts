import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { dirname, join } from 'node:path';
import { MemoryBlobStore } from '@lightspeed/cas';
import type { McpServerDocument } from '@lightspeed/ports';
import { MemoryWorkspaceStore } from '@lightspeed/vfs';
import { afterEach, describe, expect, it } from 'vitest';
import { McpConnection, mcpServerConfigOf, MemoryMcpServerStore, StoredMcpServerRegistry, ToolRuntime, withConfiguredMcpServers } from '../src/index.js';

const require = createRequire(import.meta.url);
const everythingBin = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');

const stdio = (extra: Partial<McpServerDocument> = {}): McpServerDocument => ({
  serverId: 'everything',
  defaultServerLabel: 'everything',
  transport: 'stdio',
  stdio: { command: process.execPath, args: [everythingBin, 'stdio'] },
  approvalDefault: 'never',
  authPolicy: { type: 'none' },
  status: 'active',
  ...extra,
});

describe('MCP servers from stored registrations', () => {
  const runtimes: ToolRuntime[] = [];
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
  });

  function runtimeOver(store: MemoryMcpServerStore, env: NodeJS.ProcessEnv = {}) {
    const runtime = new ToolRuntime({ blobs: new MemoryBlobStore(), workspaces: new MemoryWorkspaceStore(), mcpServers: new StoredMcpServerRegistry(store, env) });
    runtimes.push(runtime);
    const resolve = async () => (await runtime.resolve({ sessionId: 's1', apiKind: 'anthropic:messages', features: { mcp: { servers: [{ serverId: 'everything' }] } } })).map((d) => d.name);
    return { runtime, resolve };
  }

  it('follows puts and deletes: a changed registration reconnects, a deleted or disabled one contributes nothing', async () => {
    const store = new MemoryMcpServerStore();
    await store.put(stdio({ allowedTools: ['echo'] }));
    const { runtime, resolve } = runtimeOver(store);
    expect(await resolve()).toEqual(['mcp__everything__echo']);
    const first = await runtime.mcp.connection('everything');
    await store.put(stdio({ allowedTools: ['echo', 'add'] }));
    expect(await resolve()).toEqual(['mcp__everything__add', 'mcp__everything__echo']);
    expect(await runtime.mcp.connection('everything')).not.toBe(first);
    expect(first.connected).toBe(false);
    const second = await runtime.mcp.connection('everything');
    expect(await runtime.mcp.connection('everything')).toBe(second);

    await store.put(stdio({ status: 'disabled' }));
    expect(await resolve()).toEqual([]);
    await expect(runtime.mcp.connection('everything')).rejects.toThrow(/is disabled/);
    await store.delete('everything');
    expect(await resolve()).toEqual([]);
    await expect(runtime.mcp.connection('everything')).rejects.toThrow(/not in the server registry/);
  });

  it('reads credentials from the environment by name, and says which variable is missing', () => {
    const http: McpServerDocument = {
      serverId: 'remote',
      defaultServerLabel: 'remote',
      transport: 'streamableHttp',
      serverUrl: 'https://mcp.example/mcp',
      headers: { 'X-Client': 'lightspeed' },
      headersFromEnv: { 'X-Api-Key': 'REMOTE_KEY' },
      bearerTokenEnvVar: 'REMOTE_TOKEN',
      approvalDefault: 'never',
      authPolicy: { type: 'requiredBearer' },
      status: 'active',
    };
    expect(mcpServerConfigOf(http, { REMOTE_TOKEN: 't0k', REMOTE_KEY: 'k3y' })).toEqual({
      transport: 'http',
      url: 'https://mcp.example/mcp',
      headers: { 'X-Client': 'lightspeed', 'X-Api-Key': 'k3y', Authorization: 'Bearer t0k' },
    });
    expect(() => mcpServerConfigOf(http, { REMOTE_KEY: 'k3y' })).toThrow(/needs the environment variable REMOTE_TOKEN \(bearer token\)/);
    const child = stdio({ stdio: { command: 'node', env: { MODE: 'x' }, envFromEnv: { API_KEY: 'HOST_KEY' } } });
    expect(mcpServerConfigOf(child, { HOST_KEY: 'v' })).toMatchObject({ transport: 'stdio', command: 'node', env: { MODE: 'x', API_KEY: 'v' } });
    expect(() => mcpServerConfigOf(child, {})).toThrow(/HOST_KEY/);
  });

  it('keeps a tenant-registered HTTP server (publicAddressesOnly) off this machine\'s network', async () => {
    const server = createServer(async (req, res) => {
      const mcp = new McpServer({ name: 'local', version: '1.0.0' });
      mcp.registerTool('ping', { description: 'Answers pong', inputSchema: { n: z.number().optional() } }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
    const open = new McpConnection('open', { transport: 'http', url });
    const guarded = new McpConnection('guarded', { transport: 'http', url, publicAddressesOnly: true, connectTimeoutMs: 5_000 });
    try {
      expect((await open.listTools()).map((tool) => tool.name)).toEqual(['ping']);
      await expect(guarded.listTools()).rejects.toThrow(/could not connect to MCP server guarded: .*refused to connect to 127\.0\.0\.1/);
    } finally {
      await open.close();
      await guarded.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('MCP servers from the server config file', () => {
  it('lay over every universe read-only: listed and read beside stored ones, shadowing a stored id, refused on put and delete', async () => {
    const stores = new Map<string, MemoryMcpServerStore>();
    const stored = (universe: string) => stores.get(universe) ?? stores.set(universe, new MemoryMcpServerStore(() => 5)).get(universe)!;
    await stored('team').put(stdio({ serverId: 'everything', displayName: 'stored copy' }));
    await stored('team').put(stdio({ serverId: 'mine' }));
    const catalog = withConfiguredMcpServers(stored, [stdio({ displayName: 'from the file' })], '/etc/lightspeed/server.yaml', 7);
    for (const universe of ['team', 'other']) {
      expect(await catalog(universe).get('everything')).toEqual({ document: stdio({ displayName: 'from the file' }), revision: 1, createdAt: 7, updatedAt: 7 });
    }
    expect((await catalog('team').list()).map((record) => [record.document.serverId, record.document.displayName])).toEqual([['everything', 'from the file'], ['mine', undefined]]);
    await expect(catalog('team').put(stdio())).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('defined in the server config file /etc/lightspeed/server.yaml') });
    await expect(catalog('team').delete('everything')).rejects.toMatchObject({ code: 'forbidden' });
    // The stored records are untouched, and other ids are stored as before.
    expect((await stored('team').get('everything'))?.document.displayName).toBe('stored copy');
    expect((await catalog('other').put(stdio({ serverId: 'theirs' }))).revision).toBe(1);
    expect((await catalog('other').delete('theirs')).document.serverId).toBe('theirs');
  });
});
