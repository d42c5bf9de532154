/**
 * The address ranges web_fetch refuses, as data. Sources, transcribed by hand (re-check them when
 * IANA updates a registry; docs/0005, "Network guard", says how):
 * - IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry), every entry;
 * - IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry, updated 2025-10-09),
 *   every entry;
 * - IANA IPv4 Multicast Address Space (224.0.0.0/4) and the IANA IPv6 Address Space registry:
 *   every block of it other than 2000::/3 (global unicast) is reserved, local or multicast;
 * - deprecated forms the registries dropped but stacks still parse, and the cloud metadata
 *   addresses (already inside refused ranges; named so a refusal says what was at stake).
 *
 * Every entry is refused whatever the registry's "globally reachable" column says (the anycast,
 * AS112, AMT and ORCHID blocks name protocol endpoints, never a web page), except the entries
 * with `embedsIpv4At`: those wrap an IPv4 address the packet is delivered to, so the wrapped
 * address is judged instead. The most specific entry containing an address decides.
 */
export interface SpecialAddressRange {
  cidr: string;
  /** The name the registry gives the block. */
  name: string;
  /** The RFC that assigned the block (as the registry cites it). */
  rfc: string;
  registry: AddressRegistry;
  /** Bit offset of an IPv4 address carried inside this IPv6 block; that address decides. */
  embedsIpv4At?: number;
}

export type AddressRegistry =
  | 'iana-ipv4-special-registry'
  | 'iana-ipv6-special-registry'
  | 'iana-multicast-addresses'
  | 'iana-ipv6-address-space'
  | 'deprecated (no longer in a registry)'
  | 'cloud metadata';

const V4 = 'iana-ipv4-special-registry';
const V6 = 'iana-ipv6-special-registry';
const SPACE = 'iana-ipv6-address-space';
const DEPRECATED = 'deprecated (no longer in a registry)';
const METADATA = 'cloud metadata';

export const SPECIAL_ADDRESS_RANGES: readonly SpecialAddressRange[] = [
  // IANA IPv4 Special-Purpose Address Registry
  { cidr: '0.0.0.0/8', name: '"This network"', rfc: 'RFC 791, section 3.2', registry: V4 },
  { cidr: '0.0.0.0/32', name: '"This host on this network"', rfc: 'RFC 1122, section 3.2.1.3', registry: V4 },
  { cidr: '10.0.0.0/8', name: 'Private-Use', rfc: 'RFC 1918', registry: V4 },
  { cidr: '100.64.0.0/10', name: 'Shared Address Space', rfc: 'RFC 6598', registry: V4 },
  { cidr: '127.0.0.0/8', name: 'Loopback', rfc: 'RFC 1122, section 3.2.1.3', registry: V4 },
  { cidr: '169.254.0.0/16', name: 'Link Local', rfc: 'RFC 3927', registry: V4 },
  { cidr: '172.16.0.0/12', name: 'Private-Use', rfc: 'RFC 1918', registry: V4 },
  { cidr: '192.0.0.0/24', name: 'IETF Protocol Assignments', rfc: 'RFC 6890, section 2.1', registry: V4 },
  { cidr: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', rfc: 'RFC 7335', registry: V4 },
  { cidr: '192.0.0.8/32', name: 'IPv4 dummy address', rfc: 'RFC 7600', registry: V4 },
  { cidr: '192.0.0.9/32', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723', registry: V4 },
  { cidr: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155', registry: V4 },
  { cidr: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880, RFC 7050 section 2.2', registry: V4 },
  { cidr: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880, RFC 7050 section 2.2', registry: V4 },
  { cidr: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', rfc: 'RFC 5737', registry: V4 },
  { cidr: '192.31.196.0/24', name: 'AS112-v4', rfc: 'RFC 7535', registry: V4 },
  { cidr: '192.52.193.0/24', name: 'AMT', rfc: 'RFC 7450', registry: V4 },
  { cidr: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', rfc: 'RFC 7526', registry: V4 },
  { cidr: '192.88.99.2/32', name: '6a44-relay anycast address', rfc: 'RFC 6751', registry: V4 },
  { cidr: '192.168.0.0/16', name: 'Private-Use', rfc: 'RFC 1918', registry: V4 },
  { cidr: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534', registry: V4 },
  { cidr: '198.18.0.0/15', name: 'Benchmarking', rfc: 'RFC 2544', registry: V4 },
  { cidr: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737', registry: V4 },
  { cidr: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', rfc: 'RFC 5737', registry: V4 },
  { cidr: '240.0.0.0/4', name: 'Reserved', rfc: 'RFC 1112, section 4', registry: V4 },
  { cidr: '255.255.255.255/32', name: 'Limited Broadcast', rfc: 'RFC 8190, RFC 919 section 7', registry: V4 },
  // IANA IPv4 Multicast Address Space
  { cidr: '224.0.0.0/4', name: 'Multicast', rfc: 'RFC 5771', registry: 'iana-multicast-addresses' },

  // IANA IPv6 Special-Purpose Address Registry
  { cidr: '::1/128', name: 'Loopback Address', rfc: 'RFC 4291', registry: V6 },
  { cidr: '::/128', name: 'Unspecified Address', rfc: 'RFC 4291', registry: V6 },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped Address', rfc: 'RFC 4291', registry: V6, embedsIpv4At: 96 },
  // Globally reachable per the registry: on an IPv6-only network with DNS64 every IPv4-only site
  // resolves into it, so it is judged by the IPv4 address the translator will deliver to.
  { cidr: '64:ff9b::/96', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 6052', registry: V6, embedsIpv4At: 96 },
  // Local-use translation prefixes map to whatever the operator configured: refused outright.
  { cidr: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 8215', registry: V6 },
  { cidr: '100::/64', name: 'Discard-Only Address Block', rfc: 'RFC 6666', registry: V6 },
  { cidr: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', rfc: 'RFC 9780', registry: V6 },
  { cidr: '2001::/23', name: 'IETF Protocol Assignments', rfc: 'RFC 2928', registry: V6 },
  { cidr: '2001::/32', name: 'TEREDO', rfc: 'RFC 4380, RFC 8190', registry: V6 },
  { cidr: '2001:1::1/128', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723', registry: V6 },
  { cidr: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155', registry: V6 },
  { cidr: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', rfc: 'RFC 9665', registry: V6 },
  { cidr: '2001:2::/48', name: 'Benchmarking', rfc: 'RFC 5180, RFC Errata 1752', registry: V6 },
  { cidr: '2001:3::/32', name: 'AMT', rfc: 'RFC 7450', registry: V6 },
  { cidr: '2001:4:112::/48', name: 'AS112-v6', rfc: 'RFC 7535', registry: V6 },
  { cidr: '2001:10::/28', name: 'Deprecated (previously ORCHID)', rfc: 'RFC 4843', registry: V6 },
  { cidr: '2001:20::/28', name: 'ORCHIDv2', rfc: 'RFC 7343', registry: V6 },
  { cidr: '2001:30::/28', name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', rfc: 'RFC 9374', registry: V6 },
  { cidr: '2001:db8::/32', name: 'Documentation', rfc: 'RFC 3849', registry: V6 },
  // 6to4 delivers to the IPv4 address in bits 16–47 (the site's 6to4 router).
  { cidr: '2002::/16', name: '6to4', rfc: 'RFC 3056', registry: V6, embedsIpv4At: 16 },
  { cidr: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534', registry: V6 },
  { cidr: '3fff::/20', name: 'Documentation', rfc: 'RFC 9637', registry: V6 },
  { cidr: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', rfc: 'RFC 9602', registry: V6 },
  { cidr: 'fc00::/7', name: 'Unique-Local', rfc: 'RFC 4193, RFC 8190', registry: V6 },
  { cidr: 'fe80::/10', name: 'Link-Local Unicast', rfc: 'RFC 4291', registry: V6 },

  // Forms the registries no longer list but address parsers still accept.
  { cidr: '::/96', name: 'IPv4-compatible Address (deprecated)', rfc: 'RFC 4291, section 2.5.5.1', registry: DEPRECATED },
  { cidr: '::ffff:0:0:0/96', name: 'IPv4-translated Address (SIIT)', rfc: 'RFC 2765, section 2.1', registry: DEPRECATED },
  { cidr: 'fec0::/10', name: 'Site-Local Unicast (deprecated)', rfc: 'RFC 3879', registry: DEPRECATED },

  // IANA IPv6 Address Space: everything but 2000::/3 (global unicast).
  { cidr: '::/8', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: '100::/8', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: '200::/7', name: 'Reserved by IETF', rfc: 'RFC 4048', registry: SPACE },
  { cidr: '400::/6', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: '800::/5', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: '1000::/4', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: '4000::/3', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: '6000::/3', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: '8000::/3', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: 'a000::/3', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: 'c000::/3', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: 'e000::/4', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: 'f000::/5', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: 'f800::/6', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: 'fe00::/9', name: 'Reserved by IETF', rfc: 'RFC 4291', registry: SPACE },
  { cidr: 'ff00::/8', name: 'Multicast', rfc: 'RFC 4291', registry: SPACE },

  // Cloud metadata services (AWS, GCP, Azure and OCI answer on the IPv4 one; AWS on the IPv6 one).
  { cidr: '169.254.169.254/32', name: 'cloud metadata service', rfc: 'provider documentation (AWS, GCP, Azure, OCI)', registry: METADATA },
  { cidr: 'fd00:ec2::254/128', name: 'cloud metadata service', rfc: 'provider documentation (AWS)', registry: METADATA },
];
