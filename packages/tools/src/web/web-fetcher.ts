import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { convert } from 'html-to-text';
import { LightspeedError } from '@lightspeed/ports';
import { Agent, request } from 'undici';
import { blockedReason } from './address-policy.js';

export interface WebFetchConfig {
  /** Hosts (`example.com`, `127.0.0.1`, `localhost:8080`) exempt from the address policy. */
  allowHosts?: string[];
  /** Raw body bytes read at most. */
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
  userAgent?: string;
}

export interface FetchedPage {
  url: string;
  status: number;
  contentType: string;
  text: string;
  /** The body was cut at `maxBytes`. */
  truncated: boolean;
}

const DEFAULTS = { maxBytes: 2 * 1024 * 1024, timeoutMs: 20_000, maxRedirects: 5, userAgent: 'Lightspeed-WebFetch/0.1' };

/**
 * HTTP(S) fetching behind an SSRF guard. Every URL — the first and each redirect hop, which is
 * followed manually — is checked; literal IPs by value, hostnames by resolving all their
 * addresses. The socket then connects through a lookup that re-resolves and re-checks, so a DNS
 * answer that changes between check and connect (rebinding) cannot reach a refused address.
 */
export class WebFetcher {
  private readonly agent: Agent;
  private readonly allow: Set<string>;

  constructor(readonly config: WebFetchConfig = {}) {
    this.allow = new Set((config.allowHosts ?? []).map((h) => h.toLowerCase()));
    this.agent = new Agent({ connect: { lookup: this.guardedLookup } });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async fetch(input: string, options: { signal?: AbortSignal } = {}): Promise<FetchedPage> {
    const timeout = AbortSignal.timeout(this.config.timeoutMs ?? DEFAULTS.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let url = parseUrl(input);
    const maxRedirects = this.config.maxRedirects ?? DEFAULTS.maxRedirects;
    for (let hop = 0; ; hop++) {
      await this.check(url);
      let response;
      try {
        response = await request(url, {
          dispatcher: this.agent,
          method: 'GET',
          signal,
          headers: { 'user-agent': this.config.userAgent ?? DEFAULTS.userAgent, accept: 'text/html,text/plain,application/json;q=0.9,*/*;q=0.5' },
        });
      } catch (error) {
        throw fetchFailure(url, error, signal);
      }
      if (response.statusCode >= 300 && response.statusCode < 400 && response.headers.location !== undefined) {
        await response.body.dump();
        if (hop >= maxRedirects) throw new LightspeedError('unavailable', `too many redirects (more than ${maxRedirects}) starting at ${input}`);
        const location = Array.isArray(response.headers.location) ? response.headers.location[0]! : response.headers.location;
        url = parseUrl(new URL(location, url).toString());
        continue;
      }
      const contentType = String(response.headers['content-type'] ?? 'application/octet-stream');
      const max = this.config.maxBytes ?? DEFAULTS.maxBytes;
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      try {
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          const room = max - size;
          if (chunk.length >= room) {
            chunks.push(chunk.subarray(0, room));
            size = max;
            truncated = true;
            break;
          }
          chunks.push(chunk);
          size += chunk.length;
        }
      } catch (error) {
        throw fetchFailure(url, error, signal);
      } finally {
        if (truncated) response.body.destroy();
      }
      const text = toReadableText(Buffer.concat(chunks), contentType);
      if (text === undefined) throw new LightspeedError('invalid', `${url} returned ${contentType}, which is not text; web_fetch only reads HTML and text`);
      return { url: url.toString(), status: response.statusCode, contentType, text, truncated };
    }
  }

  private isAllowed(hostname: string, port: string): boolean {
    const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
    return this.allow.has(host) || this.allow.has(`${host}:${port}`) || this.allow.has(`[${host}]:${port}`);
  }

  private async check(url: URL): Promise<void> {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    if (this.isAllowed(url.hostname, port)) return;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const reason = blockedReason(host);
      if (reason) throw refused(url, host, reason);
      return;
    }
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(host, { all: true, verbatim: true }, (error, result) => (error ? reject(error) : resolve(result))),
    ).catch((error: NodeJS.ErrnoException) => {
      throw new LightspeedError('unavailable', `could not resolve ${host} (${error.code ?? error.message}); check the URL`);
    });
    for (const { address } of addresses) {
      const reason = blockedReason(address);
      if (reason) throw refused(url, address, reason);
    }
  }

  /** net.connect's lookup: resolves, refuses if any address is blocked, connects to a checked one. */
  private readonly guardedLookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true, family: options.family ?? 0 }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      // The port is not known here; allowlisting by bare host is what reaches this point.
      const allowed = this.allow.has(hostname.toLowerCase());
      if (!allowed) {
        for (const { address } of addresses) {
          const reason = blockedReason(address);
          if (reason) return callback(Object.assign(new Error(`refused to connect to ${hostname} (${address}): ${reason}`), { code: 'ESSRF' }), '', 0);
        }
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`no addresses for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function parseUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new LightspeedError('invalid', `${JSON.stringify(input.slice(0, 200))} is not a valid URL; pass an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LightspeedError('invalid', `only http and https URLs can be fetched, not ${url.protocol}`);
  return url;
}

function refused(url: URL, address: string, reason: string): LightspeedError {
  return new LightspeedError('forbidden', `refused to fetch ${url.origin}: ${address} is a ${reason}. Only public internet addresses can be fetched.`, {
    host: url.hostname,
  });
}

function fetchFailure(url: URL, error: unknown, signal: AbortSignal): LightspeedError {
  if (signal.aborted) return new LightspeedError('unavailable', `fetching ${url.origin} timed out or was cancelled`);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ESSRF') return new LightspeedError('forbidden', `${cause.message ?? 'refused'}. Only public internet addresses can be fetched.`);
  return new LightspeedError('unavailable', `fetching ${url.origin} failed: ${(error as Error).message}`);
}

function toReadableText(body: Buffer, contentType: string): string | undefined {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const charset = /charset=([^;]+)/i.exec(contentType)?.[1]?.trim().replace(/"/g, '') ?? 'utf-8';
  let decoded: string;
  try {
    decoded = new TextDecoder(charset).decode(body);
  } catch {
    decoded = new TextDecoder('utf-8').decode(body);
  }
  if (type === 'text/html' || type === 'application/xhtml+xml') {
    return convert(decoded, {
      wordwrap: false,
      selectors: [
        { selector: 'img', format: 'skip' },
        { selector: 'script', format: 'skip' },
        { selector: 'style', format: 'skip' },
        { selector: 'nav', format: 'skip' },
      ],
    });
  }
  if (type.startsWith('text/') || type === 'application/json' || type.endsWith('+json') || type.endsWith('+xml') || type === 'application/xml') return decoded;
  return undefined;
}
