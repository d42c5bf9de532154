import { isIP } from 'node:net';

/**
 * Which IP addresses a fetch may connect to. Refused: loopback, private (RFC 1918, ULA), link-local,
 * cloud metadata, CGNAT, unspecified, multicast, broadcast and reserved ranges — in IPv4 form and
 * in every IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4).
 */
export function blockedReason(address: string): string | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) return ipv4Reason(parseIpv4(bare)!);
  if (family === 6) {
    const bytes = parseIpv6(bare);
    if (!bytes) return 'unparseable IPv6 address';
    return ipv6Reason(bytes);
  }
  return 'not an IP address';
}

function ipv4Reason([a, b, c, d]: number[]): string | undefined {
  if (a === 0) return 'unspecified/"this network" address (0.0.0.0/8)';
  if (a === 10) return 'private address (10.0.0.0/8)';
  if (a === 127) return 'loopback address (127.0.0.0/8)';
  if (a === 169 && b === 254) return a === 169 && b === 254 && c === 169 && d === 254 ? 'cloud metadata address (169.254.169.254)' : 'link-local address (169.254.0.0/16)';
  if (a === 172 && b! >= 16 && b! <= 31) return 'private address (172.16.0.0/12)';
  if (a === 192 && b === 168) return 'private address (192.168.0.0/16)';
  if (a === 100 && b! >= 64 && b! <= 127) return 'shared CGNAT address (100.64.0.0/10)';
  if (a === 192 && b === 0 && c === 0) return 'IETF protocol assignment (192.0.0.0/24)';
  if (a === 198 && (b === 18 || b === 19)) return 'benchmarking address (198.18.0.0/15)';
  if (a! >= 224 && a! <= 239) return 'multicast address (224.0.0.0/4)';
  if (a! >= 240) return 'reserved/broadcast address (240.0.0.0/4)';
  return undefined;
}

function ipv6Reason(bytes: number[]): string | undefined {
  const isZero = (from: number, to: number): boolean => bytes.slice(from, to).every((x) => x === 0);
  if (isZero(0, 16)) return 'unspecified address (::)';
  if (isZero(0, 15) && bytes[15] === 1) return 'loopback address (::1)';
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated compatible) carry an IPv4 address.
  if (isZero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return embedded(bytes.slice(12, 16), 'IPv4-mapped');
  if (isZero(0, 12)) return embedded(bytes.slice(12, 16), 'IPv4-compatible');
  // 64:ff9b::/96 NAT64 and 2002::/16 6to4 reach an IPv4 address too.
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && isZero(4, 12)) return embedded(bytes.slice(12, 16), 'NAT64');
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return embedded(bytes.slice(2, 6), '6to4');
  if ((bytes[0]! & 0xfe) === 0xfc) {
    const isMetadata = bytes[0] === 0xfd && bytes[1] === 0x00 && bytes[2] === 0x0e && bytes[3] === 0xc2 && isZero(4, 14) && bytes[14] === 0x02 && bytes[15] === 0x54;
    return isMetadata ? 'cloud metadata address (fd00:ec2::254)' : 'unique local address (fc00::/7)';
  }
  if (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) return 'link-local address (fe80::/10)';
  if (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0xc0) return 'site-local address (fec0::/10)';
  if (bytes[0] === 0xff) return 'multicast address (ff00::/8)';
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2] === 0x0d && bytes[3] === 0xb8) return 'documentation address (2001:db8::/32)';
  return undefined;
}

function embedded(v4: number[], form: string): string | undefined {
  const reason = ipv4Reason(v4);
  return reason ? `${form} ${reason}` : undefined;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : undefined;
}

function parseIpv6(text: string): number[] | undefined {
  let address = text.split('%')[0]!;
  let tail: number[] = [];
  const lastColon = address.lastIndexOf(':');
  if (address.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(address.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    address = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return undefined;
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}
