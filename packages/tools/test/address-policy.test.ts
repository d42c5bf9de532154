import { describe, expect, it } from 'vitest';
import { blockedReason, blockingRange, SPECIAL_ADDRESS_RANGES } from '../src/index.js';

/**
 * For every range of the policy: an address inside it and the addresses just outside it, with the
 * range that must refuse each (the most specific one), or `null` where the address is public.
 * An address just outside one range may sit inside a neighbouring one; the row names that one.
 */
const ROWS: [address: string, refusedBy: string | null][] = [
  // IANA IPv4 Special-Purpose Address Registry
  ['0.1.2.3', '0.0.0.0/8'],
  ['1.0.0.0', null],
  ['0.0.0.0', '0.0.0.0/32'],
  ['0.0.0.1', '0.0.0.0/8'],
  ['10.255.255.255', '10.0.0.0/8'],
  ['9.255.255.255', null],
  ['11.0.0.0', null],
  ['100.64.0.0', '100.64.0.0/10'],
  ['100.127.255.255', '100.64.0.0/10'],
  ['100.63.255.255', null],
  ['100.128.0.0', null],
  ['127.255.255.254', '127.0.0.0/8'],
  ['126.255.255.255', null],
  ['128.0.0.0', null],
  ['169.254.0.1', '169.254.0.0/16'],
  ['169.253.255.255', null],
  ['169.255.0.0', null],
  ['172.16.0.0', '172.16.0.0/12'],
  ['172.31.255.255', '172.16.0.0/12'],
  ['172.15.255.255', null],
  ['172.32.0.0', null],
  ['192.0.0.200', '192.0.0.0/24'],
  ['191.255.255.255', null],
  ['192.0.1.0', null],
  ['192.0.0.7', '192.0.0.0/29'],
  ['192.0.0.8', '192.0.0.8/32'],
  ['192.0.0.9', '192.0.0.9/32'],
  ['192.0.0.10', '192.0.0.10/32'],
  ['192.0.0.11', '192.0.0.0/24'],
  ['192.0.0.170', '192.0.0.170/32'],
  ['192.0.0.171', '192.0.0.171/32'],
  ['192.0.0.169', '192.0.0.0/24'],
  ['192.0.0.172', '192.0.0.0/24'],
  ['192.0.2.0', '192.0.2.0/24'],
  ['192.0.2.255', '192.0.2.0/24'],
  ['192.0.3.0', null],
  ['192.31.196.1', '192.31.196.0/24'],
  ['192.31.195.255', null],
  ['192.31.197.0', null],
  ['192.52.193.1', '192.52.193.0/24'],
  ['192.52.192.255', null],
  ['192.52.194.0', null],
  ['192.88.99.1', '192.88.99.0/24'],
  ['192.88.99.2', '192.88.99.2/32'],
  ['192.88.99.3', '192.88.99.0/24'],
  ['192.88.98.255', null],
  ['192.88.100.0', null],
  ['192.168.255.255', '192.168.0.0/16'],
  ['192.167.255.255', null],
  ['192.169.0.0', null],
  ['192.175.48.1', '192.175.48.0/24'],
  ['192.175.47.255', null],
  ['192.175.49.0', null],
  ['198.18.0.0', '198.18.0.0/15'],
  ['198.19.255.255', '198.18.0.0/15'],
  ['198.17.255.255', null],
  ['198.20.0.0', null],
  ['198.51.100.7', '198.51.100.0/24'],
  ['198.51.99.255', null],
  ['198.51.101.0', null],
  ['203.0.113.99', '203.0.113.0/24'],
  ['203.0.112.255', null],
  ['203.0.114.0', null],
  ['240.0.0.1', '240.0.0.0/4'],
  ['255.255.255.254', '240.0.0.0/4'],
  ['255.255.255.255', '255.255.255.255/32'],
  // IANA IPv4 Multicast Address Space
  ['224.0.0.1', '224.0.0.0/4'],
  ['239.255.255.255', '224.0.0.0/4'],
  ['223.255.255.255', null],
  // Cloud metadata services (inside link-local / unique-local, named for a clearer refusal)
  ['169.254.169.254', '169.254.169.254/32'],
  ['169.254.169.253', '169.254.0.0/16'],
  ['fd00:ec2::254', 'fd00:ec2::254/128'],
  ['fd00:ec2::253', 'fc00::/7'],

  // IANA IPv6 Special-Purpose Address Registry
  ['::', '::/128'],
  ['::1', '::1/128'],
  ['::2', '::/96'],
  // IPv4-mapped: judged by the IPv4 address it carries.
  ['::ffff:7f00:1', '127.0.0.0/8'],
  ['::ffff:c000:221', '192.0.2.0/24'],
  ['::ffff:808:808', null],
  ['::fffe:ffff:ffff', '::/8'],
  ['::1:0:0:0', '::/8'],
  // NAT64 well-known prefix: judged by the IPv4 address it carries.
  ['64:ff9b::a00:1', '10.0.0.0/8'],
  ['64:ff9b::c633:6401', '198.51.100.0/24'],
  ['64:ff9b::808:808', null],
  ['64:ff9b::1:0:0', '::/8'],
  ['64:ff9b:1:ffff::1', '64:ff9b:1::/48'],
  ['64:ff9b:2::', '::/8'],
  ['100::ffff:ffff:ffff:ffff', '100::/64'],
  ['100:0:0:1::1', '100:0:0:1::/64'],
  ['100:0:0:2::', '100::/8'],
  ['2001:1ff::1', '2001::/23'],
  ['2001:200::', null],
  ['2000:ffff::', null],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001::/32'],
  ['2001:1::1', '2001:1::1/128'],
  ['2001:1::2', '2001:1::2/128'],
  ['2001:1::3', '2001:1::3/128'],
  ['2001:1::4', '2001::/23'],
  ['2001:2:0:ffff::1', '2001:2::/48'],
  ['2001:2:1::', '2001::/23'],
  ['2001:3:ffff::1', '2001:3::/32'],
  ['2001:4:112:ffff::1', '2001:4:112::/48'],
  ['2001:4:113::', '2001::/23'],
  ['2001:1f::1', '2001:10::/28'],
  ['2001:f::', '2001::/23'],
  ['2001:2f:ffff::1', '2001:20::/28'],
  ['2001:3f::1', '2001:30::/28'],
  ['2001:40::', '2001::/23'],
  ['2001:db8:ffff::1', '2001:db8::/32'],
  ['2001:db7:ffff::', null],
  ['2001:db9::', null],
  // 6to4: judged by the IPv4 address it carries in bits 16–47.
  ['2002:c000:201::1', '192.0.2.0/24'],
  ['2002:a00:1::', '10.0.0.0/8'],
  ['2002:808:808::1', null],
  ['2003::', null],
  ['2620:4f:8000::1', '2620:4f:8000::/48'],
  ['2620:4f:7fff::', null],
  ['2620:4f:8001::', null],
  ['3fff:fff:ffff::1', '3fff::/20'],
  ['3fff:1000::', null],
  ['3ffe:ffff::', null],
  ['5f00::1', '5f00::/16'],
  ['5eff:ffff::', '4000::/3'],
  ['5f01::', '4000::/3'],
  ['fdff::1', 'fc00::/7'],
  ['fbff:ffff::', 'f800::/6'],
  ['fe00::', 'fe00::/9'],
  ['febf::1', 'fe80::/10'],
  ['fe7f:ffff::', 'fe00::/9'],
  // Deprecated and embedding forms outside the special-purpose registry
  ['::808:808', '::/96'],
  ['::1:0:0', '::/8'],
  ['::ffff:0:808:808', '::ffff:0:0:0/96'],
  ['::ffff:1:0:0', '::/8'],
  ['feff::1', 'fec0::/10'],
  ['ff02::1', 'ff00::/8'],
  ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ff00::/8'],
  // IANA IPv6 Address Space: everything outside global unicast 2000::/3 is reserved or special.
  ['0:ff::1', '::/8'],
  ['1ff:ffff::', '100::/8'],
  ['200::1', '200::/7'],
  ['3ff::1', '200::/7'],
  ['400::1', '400::/6'],
  ['7ff::1', '400::/6'],
  ['800::1', '800::/5'],
  ['fff::1', '800::/5'],
  ['1000::1', '1000::/4'],
  ['1fff:ffff::', '1000::/4'],
  ['2000::', null],
  ['3fff:ffff::', null],
  ['4000::', '4000::/3'],
  ['6000::', '6000::/3'],
  ['7fff::', '6000::/3'],
  ['8000::', '8000::/3'],
  ['a000::', 'a000::/3'],
  ['c000::', 'c000::/3'],
  ['dfff::', 'c000::/3'],
  ['e000::', 'e000::/4'],
  ['f000::', 'f000::/5'],
  ['f7ff::', 'f000::/5'],
  ['f800::', 'f800::/6'],
  // Public addresses stay reachable.
  ['93.184.216.34', null],
  ['8.8.8.8', null],
  ['2606:4700:4700::1111', null],
  ['2a00:1450:4001:82b::200e', null],
];

describe('address policy: IANA special-purpose ranges', () => {
  it.each(ROWS)('%s → %s', (address, refusedBy) => {
    if (refusedBy === null) {
      expect(blockedReason(address)).toBeUndefined();
      expect(blockingRange(address)).toBeUndefined();
    } else {
      expect(blockedReason(address)).toContain(refusedBy);
      expect(blockingRange(address)?.range.cidr).toBe(refusedBy);
    }
  });

  it.each([
    ['::ffff:7f00:1', '::ffff:0:0/96', '127.0.0.1'],
    ['64:ff9b::a00:1', '64:ff9b::/96', '10.0.0.1'],
    ['2002:a00:1::', '2002::/16', '10.0.0.1'],
  ])('%s is refused as the IPv4 address its %s wrapper carries', (address, wrapper, ipv4) => {
    expect(blockingRange(address)?.carriedBy).toEqual({ range: expect.objectContaining({ cidr: wrapper }), ipv4 });
  });

  it('every range in the table decides (or wraps) an address above', () => {
    const exercised = new Set(
      ROWS.flatMap(([address, refusedBy]) => [refusedBy, blockingRange(address)?.carriedBy?.range.cidr]).filter((cidr) => cidr !== undefined),
    );
    const missing = SPECIAL_ADDRESS_RANGES.map((range) => range.cidr).filter((cidr) => !exercised.has(cidr));
    expect(missing).toEqual([]);
  });

  it('every range names its registry and RFC', () => {
    for (const range of SPECIAL_ADDRESS_RANGES) {
      expect(range.name, range.cidr).not.toBe('');
      expect(range.rfc, range.cidr).toMatch(/^RFC \d+|^provider documentation/);
      expect(range.registry, range.cidr).not.toBe('');
    }
  });

  it('a refusal says which range and, for an embedded address, which wrapper', () => {
    expect(blockedReason('192.0.2.1')).toBe('192.0.2.0/24 (Documentation (TEST-NET-1), RFC 5737)');
    expect(blockedReason('::ffff:a9fe:a9fe')).toBe(
      '169.254.169.254/32 (cloud metadata service, provider documentation (AWS, GCP, Azure, OCI)), carried as 169.254.169.254 by ::ffff:0:0/96 (IPv4-mapped Address, RFC 4291)',
    );
  });
});

describe('address policy: every textual form is normalised before checking', () => {
  it.each([
    ['2130706433', '127.0.0.0/8'],
    ['0x7f000001', '127.0.0.0/8'],
    ['0x7f.1', '127.0.0.0/8'],
    ['0177.0.0.1', '127.0.0.0/8'],
    ['127.1', '127.0.0.0/8'],
    ['012.0.0.1', '10.0.0.0/8'],
    ['0xa9.0xfe.0xa9.0xfe', '169.254.169.254/32'],
    ['[::1]', '::1/128'],
    ['[::ffff:127.0.0.1]', '127.0.0.0/8'],
    ['::ffff:127.0.0.1', '127.0.0.0/8'],
    ['::FFFF:7F00:1', '127.0.0.0/8'],
    ['0:0:0:0:0:ffff:7f00:1', '127.0.0.0/8'],
    ['::ffff:0:127.0.0.1', '::ffff:0:0:0/96'],
    ['::127.0.0.1', '::/96'],
    ['64:ff9b::169.254.169.254', '169.254.169.254/32'],
    ['2002:a9fe:a9fe::1', '169.254.169.254/32'],
    ['fe80::1%eth0', 'fe80::/10'],
    ['[fe80::1%25eth0]', 'fe80::/10'],
    ['FE80::1', 'fe80::/10'],
    ['2001:DB8::1', '2001:db8::/32'],
  ])('%s → %s', (address, refusedBy) => {
    expect(blockingRange(address)?.range.cidr).toBe(refusedBy);
  });

  it.each(['example.com', '999.1.1.1', '1.2.3.4.5', '08.0.0.1', '::ffff:1.2.3', 'fe80::1%', ''])('refuses %j, which is not an IP address', (text) => {
    expect(blockedReason(text)).toMatch(/not an IP address/);
  });

  it('public addresses in embedding forms stay reachable', () => {
    for (const address of ['::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:808:808::', '[2606:4700:4700::1111]']) {
      expect(blockedReason(address), address).toBeUndefined();
    }
  });
});
