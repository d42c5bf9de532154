import { isIPv6 } from 'node:net';
import { LightspeedError } from '@lightspeed/ports';

/** One `allowHosts` entry: a host on its scheme's default port, or on exactly one port. */
export interface AllowedHost {
  /** Canonical host as the URL parser writes it, without brackets or a trailing dot. */
  host: string;
  port: number | 'scheme default';
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The hosts exempt from the address policy (`allowHosts`). An entry means exactly what it says:
 * - `host` (`intranet.example`, `10.0.0.5`, `[fd00::1]`, or an unbracketed IPv6 address) is that
 *   host on its scheme's default port only: 80 for http, 443 for https;
 * - `host:port` (`localhost:8080`, `[::1]:8080`) is that host on that port only, over either scheme.
 * Hosts are compared after the URL parser's normalisation (case, IDNA, IPv4 and IPv6 spellings),
 * so `0x7f.1:8080` and `127.0.0.1:8080` are one entry, but a name and the address it resolves to
 * are different hosts: allowing `localhost:8080` does not allow `127.0.0.1:8080`.
 */
export class HostAllowList {
  private constructor(private readonly keys: ReadonlySet<string>) {}

  /** Parses the entries; the first invalid one is an `invalid` error naming it. */
  static parse(entries: readonly string[] = []): HostAllowList {
    return new HostAllowList(new Set(entries.map((entry) => keyOf(parseAllowedHost(entry)))));
  }

  get size(): number {
    return this.keys.size;
  }

  /** Whether a connection to `hostname` (a URL's hostname, brackets optional) on `port` is exempt. */
  permits(hostname: string, port: number, protocol: string): boolean {
    const host = canonicalHost(hostname);
    if (this.keys.has(keyOf({ host, port }))) return true;
    return DEFAULT_PORTS[protocol] === port && this.keys.has(keyOf({ host, port: 'scheme default' }));
  }
}

/** Reads one `allowHosts` entry; refuses anything that is not `host`, `host:port` or `[ipv6]:port`. */
export function parseAllowedHost(entry: string): AllowedHost {
  const fail = (why: string): LightspeedError =>
    new LightspeedError(
      'invalid',
      `allowHosts entry ${JSON.stringify(entry)} is not valid: ${why}. Write a host ("intranet.example", "10.0.0.5", "[fd00::1]") to allow its scheme's default port (80/443), or host:port ("localhost:8080", "[::1]:8080") to allow exactly that port.`,
      { entry },
    );
  if (typeof entry !== 'string' || entry.trim() === '') throw fail('it is empty');
  if (entry.includes('://')) throw fail('it has a scheme; give the host only');
  if (entry.includes('/')) throw fail('it has a path; give the host only');
  if (entry.includes('@')) throw fail('it has user info; give the host only');
  if (entry.includes('*')) throw fail('wildcards are not supported; list each host');
  if (/[\s?#\\]/.test(entry)) throw fail('it is not a valid host name');

  let host: string;
  let portText: string | undefined;
  if (entry.startsWith('[')) {
    const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(entry);
    if (!bracketed) throw fail('its closing bracket is missing or not followed by ":port"');
    host = bracketed[1]!;
    portText = bracketed[2];
    if (host.includes('%')) throw fail('IPv6 zone ids cannot appear in URLs, so the entry could never match');
    if (!isIPv6(host)) throw fail('only IPv6 addresses go in brackets');
  } else if (entry.split(':').length > 2) {
    // Two or more colons: an IPv6 address, never host:port (write [address]:port for a port).
    host = entry;
    if (host.includes('%')) throw fail('IPv6 zone ids cannot appear in URLs, so the entry could never match');
    if (!isIPv6(host)) throw fail('it looks like an IPv6 address but is not one; write [address]:port for a port');
  } else {
    const colon = entry.indexOf(':');
    host = colon === -1 ? entry : entry.slice(0, colon);
    portText = colon === -1 ? undefined : entry.slice(colon + 1);
    if (host === '') throw fail('it has no host before the port');
  }

  let port: AllowedHost['port'] = 'scheme default';
  if (portText !== undefined) {
    const value = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(value >= 1 && value <= 65535)) throw fail(`its port ${JSON.stringify(portText)} is not a number from 1 to 65535`);
    port = value;
  }

  let parsed: URL;
  try {
    parsed = new URL(`http://${isIPv6(host) ? `[${host}]` : host}/`);
  } catch {
    throw fail('it is not a valid host name');
  }
  if (parsed.hostname === '' || parsed.port !== '' || parsed.pathname !== '/') throw fail('it is not a valid host name');
  return { host: canonicalHost(parsed.hostname), port };
}

/** A URL hostname as a lookup key: no brackets, no trailing dot (a name and its FQDN are one host). */
function canonicalHost(hostname: string): string {
  const lower = hostname.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  if (isIPv6(bare)) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

function keyOf(allowed: AllowedHost): string {
  return `${allowed.host} ${allowed.port}`;
}
