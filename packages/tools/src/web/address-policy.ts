import { isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';
import { SPECIAL_ADDRESS_RANGES, type SpecialAddressRange } from './special-address-ranges.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Why an address is refused: the range that decided, and the IPv6 block that carried it if any. */
export interface BlockingRange {
  range: SpecialAddressRange;
  /** Set when `range` matched the IPv4 address embedded in an IPv6 one. */
  carriedBy?: { range: SpecialAddressRange; ipv4: string };
}

interface CompiledRange {
  range: SpecialAddressRange;
  cidr: [Address, number];
}

// Most specific first, so the first match is the entry that decides.
const COMPILED: { ipv4: CompiledRange[]; ipv6: CompiledRange[] } = { ipv4: [], ipv6: [] };
for (const range of SPECIAL_ADDRESS_RANGES) {
  const cidr = ipaddr.parseCIDR(range.cidr);
  COMPILED[cidr[0].kind()].push({ range, cidr });
}
for (const list of Object.values(COMPILED)) list.sort((a, b) => b.cidr[1] - a.cidr[1]);

/**
 * Parses any textual form of an IP address to its value, the way the WHATWG URL parser (and so
 * the fetch itself) reads a host: dotted, short (`127.1`), integer (`2130706433`), hex and octal
 * IPv4 (`0x7f.1`, `0177.0.0.1`); IPv6 in any case and compression, with a dotted tail
 * (`::127.0.0.1` is `::7f00:1`, not the IPv4-mapped `::ffff:7f00:1`), in brackets, with a zone id
 * (`fe80::1%eth0`, `[fe80::1%25eth0]`; the zone does not change which range it is in).
 * Undefined for anything else, host names included.
 */
export function parseAddress(text: string): Address | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zoned = /^([^%]+)%(?:25)?[^%]+$/.exec(bare);
  const address = zoned ? zoned[1]! : bare;
  // Only address characters: the URL parser would otherwise read `1.2.3.4/x` as the host 1.2.3.4.
  if (!/^[0-9a-fx.:]+$/i.test(address)) return undefined;
  const isV6 = address.includes(':');
  if (zoned && !isV6) return undefined;
  let host: string;
  try {
    host = new URL(`http://${isV6 ? `[${address}]` : address}/`).hostname;
  } catch {
    return undefined;
  }
  if (isV6) return ipaddr.IPv6.parse(host.slice(1, -1));
  return isIPv4(host) ? ipaddr.IPv4.parse(host) : undefined;
}

/** The range that refuses `address`, or undefined when it is a public internet address. */
export function blockingRange(address: string | Address): BlockingRange | undefined {
  const parsed = typeof address === 'string' ? parseAddress(address) : address;
  if (!parsed) return undefined;
  const match = mostSpecific(parsed);
  if (!match) return undefined;
  if (match.embedsIpv4At === undefined) return { range: match };
  const bytes = parsed.toByteArray();
  const start = match.embedsIpv4At / 8;
  const ipv4 = new ipaddr.IPv4(bytes.slice(start, start + 4));
  const inner = mostSpecific(ipv4);
  return inner ? { range: inner, carriedBy: { range: match, ipv4: ipv4.toString() } } : undefined;
}

/**
 * Why a fetch may not connect to `address`, or undefined when it may. Text that is not an IP
 * address is refused too: only a resolver's answer or a URL's literal host should reach here.
 */
export function blockedReason(address: string): string | undefined {
  if (!parseAddress(address)) return 'not an IP address';
  const blocked = blockingRange(address);
  if (!blocked) return undefined;
  const reason = describe(blocked.range);
  return blocked.carriedBy ? `${reason}, carried as ${blocked.carriedBy.ipv4} by ${describe(blocked.carriedBy.range)}` : reason;
}

function mostSpecific(address: Address): SpecialAddressRange | undefined {
  const list = address.kind() === 'ipv4' ? COMPILED.ipv4 : COMPILED.ipv6;
  return list.find(({ cidr }) => address.match(cidr))?.range;
}

function describe(range: SpecialAddressRange): string {
  return `${range.cidr} (${range.name}, ${range.rfc})`;
}
