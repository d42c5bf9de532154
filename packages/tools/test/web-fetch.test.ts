import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedReason, WebFetcher } from '../src/index.js';
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

describe('address policy', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['10.1.2.3', /private/],
    ['172.20.0.1', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /metadata/],
    ['169.254.10.1', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['100.64.0.1', /CGNAT/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
    ['::ffff:7f00:1', /IPv4-mapped loopback/],
    ['::ffff:a9fe:a9fe', /IPv4-mapped cloud metadata/],
    ['64:ff9b::a00:1', /NAT64 private/],
    ['fc00::1', /unique local/],
    ['fd00:ec2::254', /metadata/],
    ['fe80::1', /link-local/],
    ['ff02::1', /multicast/],
  ])('refuses %s', (address, reason) => {
    expect(blockedReason(address)).toMatch(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1'])('allows the public address %s', (address) => {
    expect(blockedReason(address)).toBeUndefined();
  });
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
    const fetcher = new WebFetcher({ allowHosts: ['localhost'] });
    try {
      const page = await fetcher.fetch(`http://localhost:${port}/page`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('TITLE');
      expect(page.text).toContain('Hello world.');
      expect(page.text).not.toContain('alert');
      // Same server, but through an address the allowlist does not name.
      await expect(fetcher.fetch(`http://127.0.0.1:${port}/page`)).rejects.toThrow(/loopback/);
    } finally {
      await fetcher.close();
    }
  });

  it('re-checks every redirect hop', async () => {
    const fetcher = new WebFetcher({ allowHosts: ['localhost'] });
    try {
      await expect(fetcher.fetch(`http://localhost:${port}/redirect-to-ip`)).rejects.toThrow(/refused to fetch http:\/\/127\.0\.0\.1/);
      await expect(fetcher.fetch(`http://localhost:${port}/redirect-metadata`)).rejects.toThrow(/cloud metadata/);
      const followed = await fetcher.fetch(`http://localhost:${port}/redirect-local`);
      expect(followed.url).toBe(`http://localhost:${port}/page`);
    } finally {
      await fetcher.close();
    }
  });

  it('the connect-time lookup re-checks resolved addresses (DNS rebinding)', async () => {
    const fetcher = new WebFetcher();
    // The lookup net.connect uses: even if a name passed the pre-check, a private answer at connect time is refused.
    const lookup = (fetcher as unknown as { guardedLookup: (h: string, o: object, cb: (e: NodeJS.ErrnoException | null, a: unknown) => void) => void }).guardedLookup;
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', { all: true }, (e) => resolve(e)));
    expect(error?.code).toBe('ESSRF');
    expect(error?.message).toMatch(/loopback/);
    await fetcher.close();
  });

  it('caps the body size and times out slow servers', async () => {
    const fetcher = new WebFetcher({ allowHosts: ['127.0.0.1'], maxBytes: 1000, timeoutMs: 500 });
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
    const allowed = await harness({ apiKind: 'openai:responses', features: { web: { fetch: {} } }, context: { web: { allowHosts: ['localhost'] } } });
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
    expect(refused.text).toMatch(/refused to fetch .*loopback/);
    await allowed.runtime.close();
    await plain.runtime.close();
  });
});
