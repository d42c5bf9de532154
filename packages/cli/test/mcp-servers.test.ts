import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startServe, tempDir, type CliRun } from './support/cli-harness.js';

const require = createRequire(import.meta.url);
const everythingBin = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');

async function rpc(url: string, method: string, params: unknown): Promise<any> {
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return response.json();
}

describe('lightspeed mcp servers against a running server', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let server: { url: string; stop(): Promise<CliRun> };

  beforeAll(async () => {
    home = await tempDir('ls-cli-mcp-');
    env = cleanEnv(home.path, { DOCS_TOKEN: 'never-printed' });
    server = await startServe(['--provider', 'fake', '--data-dir', join(home.path, 'data')], env);
  }, 90_000);
  afterAll(async () => {
    expect((await server?.stop())?.code).toBe(0);
    await home.remove();
  });

  it('registers the reference server over stdio, and a chat session calls its tool', async () => {
    const put = await runCli(['mcp', 'servers', 'put', 'everything', '--api-url', server.url, '--allow-tool', 'echo', '--', process.execPath, everythingBin, 'stdio'], { env });
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    expect(put.stdout).toBe(`everything\tstdio\tactive\trev 1\t${process.execPath} ${everythingBin} stdio\n`);

    const started = await rpc(server.url, 'session/start', { config: { features: { mcp: { servers: [{ serverId: 'everything' }] } } } });
    const session = started.result.result.session;
    expect(session.activeTools.tools.map((tool: any) => tool.toolId)).toEqual(['mcp__everything__echo']);
    const chat = await runCli(['chat', '--api-url', server.url, '--session', session.id, 'use mcp__everything__echo {"message":"from the cli"}'], { env });
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('< tool mcp__everything__echo');
    const read = await rpc(server.url, 'session/read', { sessionId: session.id });
    const result = read.result.result.session.activeContext.entries.find((entry: any) => entry.kind.type === 'toolResult');
    expect(JSON.parse(result.text).content).toEqual([{ type: 'text', text: 'Echo: from the cli' }]);

    // `chat --mcp ID` links the server in a new session.
    const linked = await runCli(['chat', '--api-url', server.url, '--mcp', 'everything', 'use mcp__everything__echo {"message":"linked by flag"}'], { env });
    expect(linked.code).toBe(0);
    expect(linked.stdout).toContain('< tool mcp__everything__echo');
    const unknown = await runCli(['chat', '--api-url', server.url, '--mcp', 'nope', 'hello'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('config.features.mcp.servers[0].serverId: MCP server "nope" is not registered');
  }, 60_000);

  it('registers an HTTP server with an env bearer token, lists, shows and deletes; unknown ids are refused', async () => {
    const put = await runCli(['mcp', 'servers', 'put', 'docs', '--api-url', server.url, '--url', 'https://mcp.example/mcp', '--bearer-token-env', 'DOCS_TOKEN', '--json'], { env });
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout).server).toMatchObject({ serverId: 'docs', transport: 'streamableHttp', bearerTokenEnvVar: 'DOCS_TOKEN', authPolicy: { type: 'requiredBearer' }, status: 'active' });
    const list = await runCli(['mcp', 'servers', 'list', '--api-url', server.url], { env });
    expect(list.stdout.split('\n').map((line) => line.split('\t')[0])).toEqual(['docs', 'everything', '']);
    const show = await runCli(['mcp', 'servers', 'show', 'docs', '--api-url', server.url], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ serverId: 'docs', revision: 1 });
    expect(show.stdout + put.stdout).not.toContain('never-printed');
    const stale = await runCli(['mcp', 'servers', 'put', 'docs', '--api-url', server.url, '--url', 'https://mcp.example/v2', '--expected-revision', '7'], { env });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('changed concurrently');
    const deleted = await runCli(['mcp', 'servers', 'delete', 'docs', '--api-url', server.url], { env });
    expect(deleted.stdout).toMatch(/^deleted docs\tstreamableHttp/);
    const missing = await runCli(['mcp', 'servers', 'show', 'docs', '--api-url', server.url], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('is not registered');

    const refused = await rpc(server.url, 'session/start', { config: { features: { mcp: { servers: [{ serverId: 'docs' }] } } } });
    expect(refused.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    expect(refused.error.message).toMatch(/^config\.features\.mcp\.servers\[0\]\.serverId: MCP server "docs" is not registered in this universe \(registered: everything\)/);
  });

  it('refuses a put that names neither a URL nor a command', async () => {
    const run = await runCli(['mcp', 'servers', 'put', 'nothing', '--api-url', server.url], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('give the server: --url URL');
  });
});

describe('lightspeed mcp servers on the embedded store', () => {
  it('keeps registrations in the data directory across processes', async () => {
    const home = await tempDir('ls-cli-mcp-embedded-');
    try {
      const env = cleanEnv(home.path);
      const dataDir = join(home.path, 'data');
      const put = await runCli(['mcp', 'servers', 'put', 'local', '--data-dir', dataDir, '--url', 'http://127.0.0.1:9/mcp'], { env });
      expect(put.code).toBe(0);
      const list = await runCli(['mcp', 'servers', 'list', '--data-dir', dataDir], { env });
      expect(list.stdout).toMatch(/^local\tstreamableHttp\tactive\trev 1\thttp:\/\/127\.0\.0\.1:9\/mcp\n$/);
    } finally {
      await home.remove();
    }
  }, 60_000);
});
