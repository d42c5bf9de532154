import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryBlobStore } from '@lightspeed/cas';
import { LightspeedError } from '@lightspeed/ports';
import { MemoryWorkspaceStore } from '@lightspeed/vfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostAllowList, ToolRuntime, WebFetcher } from '../src/index.js';

/** A loopback HTTP server answering every path with its own name. */
async function startServer(name: string, host: string, port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello from ${name}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function stop(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

let first: { server: Server; port: number };
let second: { server: Server; port: number };
let ipv6: { server: Server; port: number };

beforeAll(async () => {
  first = await startServer('first', '127.0.0.1');
  second = await startServer('second', '127.0.0.1');
  ipv6 = await startServer('ipv6', '::1');
});

afterAll(async () => {
  await Promise.all([stop(first.server), stop(second.server), stop(ipv6.server)]);
});

async function withFetcher<T>(allowHosts: string[], use: (fetcher: WebFetcher) => Promise<T>): Promise<T> {
  const fetcher = new WebFetcher({ allowHosts, timeoutMs: 5000 });
  try {
    return await use(fetcher);
  } finally {
    await fetcher.close();
  }
}

describe('allowHosts host:port entries, against real loopback servers', () => {
  it('"localhost:PORT" reaches that port through the resolver', async () => {
    await withFetcher([`localhost:${first.port}`], async (fetcher) => {
      const page = await fetcher.fetch(`http://localhost:${first.port}/`);
      expect(page.status).toBe(200);
      expect(page.text).toBe('hello from first');
    });
  });

  it('"localhost:PORT" does not open the same host on another port', async () => {
    await withFetcher([`localhost:${first.port}`], async (fetcher) => {
      await expect(fetcher.fetch(`http://localhost:${second.port}/`)).rejects.toThrow(/refused to fetch .*127\.0\.0\.0\/8/);
    });
  });

  it('"localhost:PORT" does not open another name for the same address', async () => {
    await withFetcher([`localhost:${first.port}`], async (fetcher) => {
      await expect(fetcher.fetch(`http://127.0.0.1:${first.port}/`)).rejects.toThrow(/refused to fetch/);
    });
  });

  it('a bare host does not open a non-default port', async () => {
    await withFetcher(['localhost'], async (fetcher) => {
      await expect(fetcher.fetch(`http://localhost:${first.port}/`)).rejects.toThrow(/refused to fetch .*127\.0\.0\.0\/8/);
    });
    await withFetcher(['127.0.0.1'], async (fetcher) => {
      await expect(fetcher.fetch(`http://127.0.0.1:${first.port}/`)).rejects.toThrow(/refused to fetch .*127\.0\.0\.0\/8/);
    });
  });

  it('an IPv4 literal entry with a port reaches exactly that port', async () => {
    await withFetcher([`127.0.0.1:${second.port}`], async (fetcher) => {
      expect((await fetcher.fetch(`http://127.0.0.1:${second.port}/`)).text).toBe('hello from second');
      await expect(fetcher.fetch(`http://127.0.0.1:${first.port}/`)).rejects.toThrow(/refused to fetch/);
    });
  });

  it('an IPv6 literal entry "[::1]:PORT" reaches exactly that port', async () => {
    await withFetcher([`[::1]:${ipv6.port}`], async (fetcher) => {
      expect((await fetcher.fetch(`http://[::1]:${ipv6.port}/`)).text).toBe('hello from ipv6');
      await expect(fetcher.fetch(`http://[::1]:${first.port}/`)).rejects.toThrow(/refused to fetch .*::1\/128/);
    });
  });

  it('a host:port entry opens that port for https too', async () => {
    // https to a plain HTTP server fails at the TLS handshake: past the policy, which is the point.
    await withFetcher([`localhost:${first.port}`], async (fetcher) => {
      const error = (await fetcher.fetch(`https://localhost:${first.port}/`).catch((e: unknown) => e)) as LightspeedError;
      expect(error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^fetching https:\/\/localhost:\d+ failed/) });
      expect(error.message).not.toMatch(/refused/);
    });
  });

  it('a bare host opens its scheme default port (80 for http)', async (context) => {
    // A loopback address of its own so the privileged port does not collide with anything else.
    const host = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    let onDefault: { server: Server; port: number } | undefined;
    try {
      onDefault = await startServer('port 80', host, 80);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') return context.skip(`binding port 80 needs privileges this process lacks (${code})`);
      throw error;
    }
    try {
      await withFetcher([host], async (fetcher) => {
        expect((await fetcher.fetch(`http://${host}/`)).text).toBe('hello from port 80');
        expect((await fetcher.fetch(`http://${host}:80/`)).text).toBe('hello from port 80');
      });
      // The same server is refused without the entry, and with an entry for another port.
      await withFetcher([`${host}:8080`], async (fetcher) => {
        await expect(fetcher.fetch(`http://${host}/`)).rejects.toThrow(/refused to fetch .*127\.0\.0\.0\/8/);
      });
    } finally {
      await stop(onDefault.server);
    }
  });
});

describe('allowHosts semantics', () => {
  const entries = ['example.com', 'api.example.com:8443', '10.0.0.5', '[fd00::1]:9000', '::1', 'LOCALHOST:8080'];
  it.each([
    ['example.com', 80, 'http:', true],
    ['example.com', 443, 'https:', true],
    ['example.com', 443, 'http:', false],
    ['example.com', 80, 'https:', false],
    ['example.com', 8080, 'http:', false],
    ['www.example.com', 80, 'http:', false],
    ['example.com.', 443, 'https:', true],
    ['api.example.com', 8443, 'https:', true],
    ['api.example.com', 8443, 'http:', true],
    ['api.example.com', 443, 'https:', false],
    ['10.0.0.5', 80, 'http:', true],
    ['10.0.0.5', 81, 'http:', false],
    ['[fd00::1]', 9000, 'http:', true],
    ['fd00::1', 9000, 'https:', true],
    ['[fd00::1]', 80, 'http:', false],
    ['[::1]', 80, 'http:', true],
    ['[::1]', 8080, 'http:', false],
    ['localhost', 8080, 'http:', true],
    ['localhost', 80, 'http:', false],
  ])('%s port %d over %s → %s', (hostname, port, protocol, permitted) => {
    expect(HostAllowList.parse(entries).permits(hostname, port, protocol)).toBe(permitted);
  });

  it('normalises entries the way URLs are normalised', () => {
    const normalised = HostAllowList.parse(['0x7f.1:8080', '[0:0:0:0:0:0:0:1]:8080', 'EXAMPLE.com.', 'bücher.example']);
    expect(normalised.permits('127.0.0.1', 8080, 'http:')).toBe(true);
    expect(normalised.permits('[::1]', 8080, 'http:')).toBe(true);
    expect(normalised.permits('example.com', 443, 'https:')).toBe(true);
    expect(normalised.permits(new URL('https://bücher.example/').hostname, 443, 'https:')).toBe(true);
  });

  it('an unbracketed IPv6 entry is an address, never host:port', () => {
    const list6 = HostAllowList.parse(['::1:80']);
    expect(list6.permits('[::1:80]', 80, 'http:')).toBe(true);
    expect(list6.permits('[::1]', 80, 'http:')).toBe(false);
  });
});

describe('allowHosts validation', () => {
  it.each([
    ['', /empty/],
    ['http://example.com', /scheme/],
    ['example.com/path', /path/],
    ['user@example.com', /user/],
    ['*.example.com', /wildcard/],
    ['localhost:0', /port/],
    ['localhost:65536', /port/],
    ['localhost:http', /port/],
    ['localhost:', /port/],
    [':8080', /host/],
    ['[::1', /bracket/],
    ['[::1]8080', /bracket/],
    ['[localhost]:80', /IPv6/],
    ['[fe80::1%eth0]:80', /zone/],
    ['exa mple.com', /not a valid host/],
    ['a:b:c', /IPv6/],
  ])('refuses %j with a typed invalid error naming the entry', (entry, why) => {
    let caught: unknown;
    try {
      new WebFetcher({ allowHosts: [entry] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LightspeedError);
    expect((caught as LightspeedError).code).toBe('invalid');
    expect((caught as LightspeedError).message).toContain(`allowHosts entry ${JSON.stringify(entry)}`);
    expect((caught as LightspeedError).message).toMatch(why);
    expect((caught as LightspeedError).details).toEqual({ entry });
  });

  it('refuses a malformed config as a whole with a typed invalid error', () => {
    expect(() => new WebFetcher({ allowHosts: 'localhost' as unknown as string[] })).toThrow(expect.objectContaining({ code: 'invalid', message: expect.stringMatching(/allowHosts/) }));
    expect(() => new WebFetcher({ maxBytes: -1 })).toThrow(expect.objectContaining({ code: 'invalid', message: expect.stringMatching(/maxBytes/) }));
    expect(() => new WebFetcher({ allowHost: ['x'] } as never)).toThrow(expect.objectContaining({ code: 'invalid', message: expect.stringMatching(/allowHost/) }));
  });

  it('the tool runtime refuses a bad web policy when it is configured, not at the first fetch', () => {
    const stores = { blobs: new MemoryBlobStore(), workspaces: new MemoryWorkspaceStore() };
    expect(() => new ToolRuntime({ ...stores, web: { allowHosts: ['http://intranet'] } })).toThrow(expect.objectContaining({ code: 'invalid' }));
    const runtime = new ToolRuntime(stores);
    expect(() => runtime.forSession({ sessionId: 's1', web: { allowHosts: ['intranet:99999'] } })).toThrow(expect.objectContaining({ code: 'invalid' }));
  });
});
