import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getJson } from '@lightspeed/cas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpToolName, StaticMcpServerRegistry } from '../src/index.js';
import { harness, type Harness } from './harness.js';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const everythingBin = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');
const filesystemBin = join(dirname(require.resolve('@modelcontextprotocol/server-filesystem/package.json')), 'dist', 'index.js');
const flakyBin = join(here, 'fixtures', 'flaky-mcp-server.mjs');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

let httpServer: ChildProcess;
let httpPort: number;

beforeAll(async () => {
  httpPort = await freePort();
  httpServer = spawn(process.execPath, [everythingBin, 'streamableHttp'], { env: { ...process.env, PORT: String(httpPort) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server-everything (streamableHttp) did not start')), 20_000);
    httpServer.stderr!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on port')) {
        clearTimeout(timer);
        resolve();
      }
    });
    httpServer.on('exit', (code) => reject(new Error(`server-everything exited with ${code}`)));
  });
});

afterAll(() => {
  httpServer?.kill('SIGKILL');
});

async function mcpSession(servers: string[], apiKind = 'anthropic:messages', allowedTools?: string[]): Promise<Harness> {
  const registry = new StaticMcpServerRegistry({
    everything: { transport: 'stdio', command: process.execPath, args: [everythingBin, 'stdio'], callTimeoutMs: 1500 },
    everythingHttp: { transport: 'http', url: `http://127.0.0.1:${httpPort}/mcp` },
    flaky: { transport: 'stdio', command: process.execPath, args: [flakyBin], callTimeoutMs: 1000 },
    files: { transport: 'stdio', command: process.execPath, args: [filesystemBin, here] },
  });
  return harness({
    apiKind,
    features: { mcp: { servers: servers.map((serverId) => (allowedTools ? { serverId, allowedTools } : { serverId })) } },
    runtime: { mcpServers: registry },
  });
}

describe('MCP tool names', () => {
  it('namespaces and sanitises to provider limits', () => {
    expect(mcpToolName('everything', 'echo')).toBe('mcp__everything__echo');
    const weird = mcpToolName('my server', 'weird name.with/dots');
    expect(weird).toMatch(/^mcp__my_server__weird_name_with_dots_[0-9a-f]{8}$/);
    const long = mcpToolName('s'.repeat(40), 't'.repeat(40));
    expect(long).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(long).not.toBe(mcpToolName('s'.repeat(40), `${'t'.repeat(39)}u`));
  });
});

describe('MCP over stdio with the reference server-everything', () => {
  it('exposes its tools with namespaced names and calls them', async () => {
    const h = await mcpSession(['everything']);
    try {
      const names = h.descriptors.map((d) => d.name);
      expect(names).toContain('mcp__everything__echo');
      expect(names).toContain('mcp__everything__add');
      for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      const echoDefinition = await getJson<{ description: string; inputSchema: { type: string; properties: Record<string, unknown> } }>(
        h.blobs,
        h.descriptors.find((d) => d.name === 'mcp__everything__echo')!.definitionRef,
      );
      expect(echoDefinition.inputSchema.type).toBe('object');
      expect(Object.keys(echoDefinition.inputSchema.properties)).toContain('message');
      const echo = await h.call('mcp__everything__echo', { message: 'hi there' });
      expect(echo.isError).toBe(false);
      expect(echo.text).toContain('Echo: hi there');
      expect(echo.outcome.preview).toBe('Echo: hi there');
      const add = await h.call('mcp__everything__add', { a: 2, b: 40 });
      expect(add.text).toContain('42');
    } finally {
      await h.runtime.close();
    }
  });

  it('a call that exceeds the timeout is an error result', async () => {
    const h = await mcpSession(['everything']);
    try {
      const slow = await h.call('mcp__everything__longRunningOperation', { duration: 5, steps: 5 });
      expect(slow.isError).toBe(true);
      expect(slow.text).toMatch(/did not answer longRunningOperation in time/);
      // The connection is still usable afterwards.
      expect((await h.call('mcp__everything__echo', { message: 'after' })).text).toContain('Echo: after');
    } finally {
      await h.runtime.close();
    }
  });

  it('allowedTools limits what a session sees', async () => {
    const h = await mcpSession(['everything'], 'openai:responses', ['echo']);
    try {
      expect(h.descriptors.map((d) => d.name)).toEqual(['mcp__everything__echo']);
    } finally {
      await h.runtime.close();
    }
  });
});

describe('MCP over streamable HTTP', () => {
  it('lists and calls tools of server-everything in streamableHttp mode', async () => {
    const h = await mcpSession(['everythingHttp']);
    try {
      expect(h.descriptors.map((d) => d.name)).toContain('mcp__everythingHttp__echo');
      const echo = await h.call('mcp__everythingHttp__echo', { message: 'over http' });
      expect(echo.text).toContain('Echo: over http');
    } finally {
      await h.runtime.close();
    }
  });
});

describe('MCP with the reference server-filesystem', () => {
  it('reads a file through the server, and its own path checks surface as error results', async () => {
    const h = await mcpSession(['files']);
    try {
      const read = await h.call('mcp__files__read_text_file', { path: join(here, 'fixtures', 'flaky-mcp-server.mjs'), head: 2 });
      expect(read.isError).toBe(false);
      expect(read.text).toContain('#!/usr/bin/env node');
      const denied = await h.call('mcp__files__read_text_file', { path: '/etc/passwd' });
      expect(denied.isError).toBe(true);
      expect(denied.text).toMatch(/outside allowed directories|Access denied/i);
    } finally {
      await h.runtime.close();
    }
  });
});

describe('MCP failure handling with a flaky server', () => {
  it('a server that crashes mid-call gives an error result and is restarted on the next call', async () => {
    const h = await mcpSession(['flaky']);
    try {
      const crash = await h.call('mcp__flaky__crash', {});
      expect(crash.isError).toBe(true);
      expect(crash.outcome.status).toBe('failed');
      expect(crash.text).toMatch(/stopped during the call to crash .* restarted on the next call/);
      const after = await h.call('mcp__flaky__echo', { text: 'back' });
      expect(after.isError).toBe(false);
      expect(after.text).toContain('echo: back');
    } finally {
      await h.runtime.close();
    }
  });

  it('error results, timeouts and sanitised names', async () => {
    const h = await mcpSession(['flaky']);
    try {
      const failed = await h.call('mcp__flaky__fails', {});
      expect(failed.isError).toBe(true);
      expect(failed.text).toContain('it went wrong');
      const slow = await h.call('mcp__flaky__slow', {});
      expect(slow.text).toMatch(/timed out/);
      const weird = h.descriptors.find((d) => d.name.startsWith('mcp__flaky__weird_name'))!;
      expect((await h.call(weird.name, {})).text).toContain('sanitised ok');
      expect(h.descriptors.find((d) => d.name === 'mcp__flaky__echo')!.parallelism).toBe('parallelSafe');
      expect(h.descriptors.find((d) => d.name === 'mcp__flaky__crash')!.parallelism).toBe('exclusive');
    } finally {
      await h.runtime.close();
    }
  });

  it('tools/list_changed refreshes the listing and notifies the runtime', async () => {
    const h = await mcpSession(['flaky']);
    try {
      expect(h.descriptors.map((d) => d.name)).not.toContain('mcp__flaky__late_tool');
      const changed = new Promise<string>((resolve) => h.runtime.mcp.onToolsChanged(resolve));
      await h.call('mcp__flaky__add_tool', {});
      expect(await changed).toBe('flaky');
      const sessionId = (await h.invocation('x', {})).sessionId;
      const next = await h.runtime.resolve({ sessionId, apiKind: 'anthropic:messages', features: { mcp: { servers: [{ serverId: 'flaky' }] } } });
      expect(next.map((d) => d.name)).toContain('mcp__flaky__late_tool');
      expect((await h.call('mcp__flaky__late_tool', {})).text).toContain('late tool ran');
    } finally {
      await h.runtime.close();
    }
  });

  it('an unknown server contributes no tools and a missing tool is unavailable', async () => {
    const h = await mcpSession(['nope']);
    try {
      expect(h.descriptors).toEqual([]);
      expect((await h.call('mcp__nope__x', {})).outcome.status).toBe('unavailable');
    } finally {
      await h.runtime.close();
    }
  });
});
