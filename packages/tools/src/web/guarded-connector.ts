import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { blockedReason } from './address-policy.js';
import type { HostAllowList } from './host-allow-list.js';

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The connector undici dials every socket through, which is where the address policy is
 * enforced: a name is resolved here, at connect time, and refused if any answer is in a refused
 * range, so an answer that changed since an earlier check (DNS rebinding) never becomes a socket.
 * Only a host and port the allowlist names connects unchecked. The connector sees the port, so a
 * `host:port` entry can be honoured here; a resolver hook alone could not tell ports apart.
 */
export function guardedConnector(allow: HostAllowList): buildConnector.connector {
  const open = buildConnector({});
  const guarded = buildConnector({ lookup: guardedLookup });
  return (options, callback) => {
    const port = Number(options.port) || DEFAULT_PORTS[options.protocol] || 0;
    if (allow.permits(options.hostname, port, options.protocol)) return open(options, callback);
    // A literal address never reaches the resolver hook, so it is checked here.
    if (isIP(options.hostname)) {
      const reason = blockedReason(options.hostname);
      if (reason) return callback(refusal(options.hostname, options.hostname, reason), null);
    }
    guarded(options, callback);
  };
}

/** net.connect's lookup: resolves every address, refuses if any is blocked, else hands them all on. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true, verbatim: true }, (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    if (addresses.length === 0) return callback(Object.assign(new Error(`no addresses for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    for (const { address } of addresses) {
      const reason = blockedReason(address);
      if (reason) return callback(refusal(hostname, address, reason), '', 0);
    }
    if (options.all) return (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

function refusal(hostname: string, address: string, reason: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`refused to connect to ${hostname} (${address}): ${address} is in ${reason}`), { code: 'ESSRF' });
}
