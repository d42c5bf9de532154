import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { convert } from 'html-to-text';
import { LightspeedError } from '@lightspeed/ports';
import { Agent, request } from 'undici';
import { blockedReason, parseAddress } from './address-policy.js';
import { guardedConnector } from './guarded-connector.js';
import { parseWebFetchConfig, type WebFetchConfig, type WebFetchPolicy } from './web-fetch-config.js';

export interface FetchedPage {
  url: string;
  status: number;
  contentType: string;
  text: string;
  /** The body was cut at `maxBytes`. */
  truncated: boolean;
}

/**
 * HTTP(S) fetching behind an SSRF guard. Every URL — the first and each redirect hop, which is
 * followed manually — is checked up front for a clear `forbidden` error: literal IPs by value,
 * hostnames by resolving all their addresses. The socket then connects through
 * `guardedConnector`, which resolves and checks again, so a DNS answer that changes between
 * check and connect (rebinding) cannot reach a refused address.
 */
export class WebFetcher {
  private readonly agent: Agent;
  private readonly policy: WebFetchPolicy;

  /** Throws an `invalid` LightspeedError naming the bad field or allowHosts entry. */
  constructor(readonly config: WebFetchConfig = {}) {
    this.policy = parseWebFetchConfig(config);
    this.agent = new Agent({ connect: guardedConnector(this.policy.allow) });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async fetch(input: string, options: { signal?: AbortSignal } = {}): Promise<FetchedPage> {
    const timeout = AbortSignal.timeout(this.policy.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let url = parseUrl(input);
    const { maxRedirects } = this.policy;
    for (let hop = 0; ; hop++) {
      await this.check(url);
      let response;
      try {
        response = await request(url, {
          dispatcher: this.agent,
          method: 'GET',
          signal,
          headers: { 'user-agent': this.policy.userAgent, accept: 'text/html,text/plain,application/json;q=0.9,*/*;q=0.5' },
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
      const max = this.policy.maxBytes;
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

  private async check(url: URL): Promise<void> {
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    if (this.policy.allow.permits(url.hostname, port, url.protocol)) return;
    const literal = parseAddress(url.hostname);
    if (literal) {
      const reason = blockedReason(url.hostname);
      if (reason) throw refused(url, literal.toString(), reason);
      return;
    }
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(url.hostname, { all: true, verbatim: true }, (error, result) => (error ? reject(error) : resolve(result))),
    ).catch((error: NodeJS.ErrnoException) => {
      throw new LightspeedError('unavailable', `could not resolve ${url.hostname} (${error.code ?? error.message}); check the URL`);
    });
    for (const { address } of addresses) {
      const reason = blockedReason(address);
      if (reason) throw refused(url, address, reason);
    }
  }
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

const ALLOW_HINT = 'Only public internet addresses can be fetched; to reach this host on purpose, add it to allowHosts as host:port.';

function refused(url: URL, address: string, reason: string): LightspeedError {
  return new LightspeedError('forbidden', `refused to fetch ${url.origin}: ${address} is in ${reason}. ${ALLOW_HINT}`, { host: url.hostname, address });
}

function fetchFailure(url: URL, error: unknown, signal: AbortSignal): LightspeedError {
  if (signal.aborted) return new LightspeedError('unavailable', `fetching ${url.origin} timed out or was cancelled`);
  // undici hands the connector's error on as is, or (some versions, some paths) as the cause.
  const refusal = [error, (error as { cause?: unknown }).cause].find((e): e is NodeJS.ErrnoException => (e as NodeJS.ErrnoException | undefined)?.code === 'ESSRF');
  if (refusal) return new LightspeedError('forbidden', `${refusal.message}. ${ALLOW_HINT}`, { host: url.hostname });
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
