import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedConnector, HostAllowList, WebFetcher } from '../src/index.js';
import { harness } from './harness.js';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><head><style>p{}</style><script>alert(1)</script></head><body><h1>Title</h1><p>Hello <b>world</b>.</p><img src="x.png"></body></html>');
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('y'.repeat(200_000));
    } else if (req.url?.startsWith('/redirect-to-ip')) {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/page` });
      res.end();
    } else if (req.url === '/redirect-metadata') {
      res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    } else if (req.url === '/redirect-local') {
      res.writeHead(302, { location: '/page' });
      res.end();
    } else if (req.url === '/binary') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0, 1, 2]));
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 3000);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('web fetch SSRF guard', () => {
  const refusedUrls = () => [
    `http://127.0.0.1:${port}/page`,
    `http://localhost:${port}/page`,
    `http://[::1]:${port}/page`,
    `http://[::ffff:127.0.0.1]:${port}/page`,
    `http://2130706433:${port}/page`,
    `http://0x7f000001:${port}/page`,
    `http://0.0.0.0:${port}/page`,
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://10.0.0.1/',
    `http://0x7f.1:${port}/page`,
    `http://0177.0.0.1:${port}/page`,
    `http://127.1:${port}/page`,
    `http://127.0.0.1.:${port}/page`,
    `http://[::ffff:7f00:1]:${port}/page`,
    `http://[0:0:0:0:0:ffff:127.0.0.1]:${port}/page`,
    `http://[::127.0.0.1]:${port}/page`,
    `http://[64:ff9b::7f00:1]:${port}/page`,
    `http://[2002:7f00:1::]:${port}/page`,
    'http://192.0.2.1/',
    'http://198.51.100.1/',
    'http://203.0.113.1/',
    'http://192.88.99.1/',
    'http://[64:ff9b:1::1]/',
    'http://[::ffff:0:c000:201]/',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
    'http://[100::1]/',
    'http://[2001:db8::1]/',
  ];

  it('refuses loopback, private and metadata targets in every spelling', async () => {
    const fetcher = new WebFetcher({ timeoutMs: 2000 });
    try {
      for (const url of refusedUrls()) {
        await expect(fetcher.fetch(url), url).rejects.toThrow(/refused to fetch/);
      }
    } finally {
      await fetcher.close();
    }
  });

  it('the allowlist opens a specific host, and only that host', async () => {
    const fetcher = new WebFetcher({ allowHosts: [`localhost:${port}`] });
    try {
      const page = await fetcher.fetch(`http://localhost:${port}/page`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('TITLE');
      expect(page.text).toContain('Hello world.');
      expect(page.text).not.toContain('alert');
      // Same server, but through an address the allowlist does not name.
      await expect(fetcher.fetch(`http://127.0.0.1:${port}/page`)).rejects.toThrow(/127\.0\.0\.0\/8 \(Loopback/);
    } finally {
      await fetcher.close();
    }
  });

  it('re-checks every redirect hop', async () => {
    const fetcher = new WebFetcher({ allowHosts: [`localhost:${port}`] });
    try {
      await expect(fetcher.fetch(`http://localhost:${port}/redirect-to-ip`)).rejects.toThrow(/refused to fetch http:\/\/127\.0\.0\.1/);
      await expect(fetcher.fetch(`http://localhost:${port}/redirect-metadata`)).rejects.toThrow(/cloud metadata/);
      const followed = await fetcher.fetch(`http://localhost:${port}/redirect-local`);
      expect(followed.url).toBe(`http://localhost:${port}/page`);
    } finally {
      await fetcher.close();
    }
  });

  it('the connect-time check refuses what the resolver answers when the socket connects (DNS rebinding)', async () => {
    // The connector undici dials through: whatever passed the pre-check, the name is resolved and
    // checked again here, and a refused answer never becomes a socket.
    const connect = (allowHosts: string[]) =>
      new Promise<{ error: NodeJS.ErrnoException | null; connected: boolean }>((resolve) =>
        guardedConnector(HostAllowList.parse(allowHosts))({ hostname: 'localhost', protocol: 'http:', port: String(port) }, (error, socket) => {
          socket?.destroy();
          resolve({ error, connected: socket !== null && socket !== undefined });
        }),
      );
    const refused = await connect([]);
    expect(refused.connected).toBe(false);
    expect(refused.error?.code).toBe('ESSRF');
    expect(refused.error?.message).toMatch(/refused to connect to localhost \(127\.0\.0\.1\): .*127\.0\.0\.0\/8/);
    expect(await connect([`localhost:${port + 1}`])).toMatchObject({ connected: false, error: { code: 'ESSRF' } });
    expect(await connect([`localhost:${port}`])).toEqual({ error: null, connected: true });
  });

  it('caps the body size and times out slow servers', async () => {
    const fetcher = new WebFetcher({ allowHosts: [`127.0.0.1:${port}`], maxBytes: 1000, timeoutMs: 500 });
    try {
      const big = await fetcher.fetch(`http://127.0.0.1:${port}/big`);
      expect(big.truncated).toBe(true);
      expect(big.text.length).toBe(1000);
      await expect(fetcher.fetch(`http://127.0.0.1:${port}/slow`)).rejects.toThrow(/timed out/);
      await expect(fetcher.fetch(`http://127.0.0.1:${port}/binary`)).rejects.toThrow(/not text/);
      await expect(fetcher.fetch('file:///etc/passwd')).rejects.toThrow(/only http and https/);
    } finally {
      await fetcher.close();
    }
  });
});

describe('web_fetch tool', () => {
  it('fetches through the runtime with the session allowlist and reports refusals as tool errors', async () => {
    const allowed = await harness({ apiKind: 'openai:responses', features: { web: { fetch: {} } }, context: { web: { allowHosts: [`localhost:${port}`] } } });
    expect(allowed.descriptors.map((d) => d.name)).toEqual(['web_fetch']);
    const page = await allowed.call('web_fetch', { url: `http://localhost:${port}/page` });
    expect(page.isError).toBe(false);
    expect(page.text).toMatch(/^URL: http:\/\/localhost:\d+\/page\nStatus: 200\nContent-Type: text\/html/);
    const missing = await allowed.call('web_fetch', { url: `http://localhost:${port}/missing` });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain('Status: 404');

    const plain = await harness({ features: { web: { fetch: {} } } });
    const refused = await plain.call('WebFetch', { url: `http://localhost:${port}/page`, prompt: 'title?' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/refused to fetch .*Loopback/);
    await allowed.runtime.close();
    await plain.runtime.close();
  });
});
