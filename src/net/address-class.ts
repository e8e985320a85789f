import { isIPv4, isIPv6 } from 'node:net';

/**
 * What an IP address is, for deciding whether the server may connect to it on behalf of a
 * stranger (a client's metadata document URL). `public` is the only class that is always
 * reachable; the rest are the special-use blocks of RFC 6890 and its successors, which the
 * CIMD draft ("Server Side Request Forgery (SSRF) Attacks") forbids fetching.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'cgnat'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

interface Block {
  base: bigint;
  prefix: number;
  kind: AddressClass | 'embedded-ipv4';
}

function ipv4Block(cidr: string, kind: Block['kind']): Block {
  const [address = '', prefix = '32'] = cidr.split('/');
  return { base: ipv4ToBigInt(address), prefix: Number(prefix), kind };
}

function ipv6Block(cidr: string, kind: Block['kind']): Block {
  const [address = '', prefix = '128'] = cidr.split('/');
  return { base: ipv6ToBigInt(address) ?? 0n, prefix: Number(prefix), kind };
}

/** Most specific first: the first block that contains an address decides its class. */
const IPV4_BLOCKS: readonly Block[] = [
  ipv4Block('169.254.169.254/32', 'metadata'), // cloud instance metadata (AWS, GCP, Azure, OpenStack)
  ipv4Block('255.255.255.255/32', 'broadcast'), // RFC 919 limited broadcast
  ipv4Block('0.0.0.0/8', 'unspecified'), // RFC 1122 "this network"
  ipv4Block('10.0.0.0/8', 'private'), // RFC 1918
  ipv4Block('100.64.0.0/10', 'cgnat'), // RFC 6598 shared address space
  ipv4Block('127.0.0.0/8', 'loopback'), // RFC 1122
  ipv4Block('169.254.0.0/16', 'link-local'), // RFC 3927
  ipv4Block('172.16.0.0/12', 'private'), // RFC 1918
  ipv4Block('192.0.0.0/24', 'reserved'), // RFC 6890 IETF protocol assignments
  ipv4Block('192.0.2.0/24', 'reserved'), // RFC 5737 documentation
  ipv4Block('192.88.99.0/24', 'reserved'), // RFC 7526 deprecated 6to4 relays
  ipv4Block('192.168.0.0/16', 'private'), // RFC 1918
  ipv4Block('198.18.0.0/15', 'reserved'), // RFC 2544 benchmarking
  ipv4Block('198.51.100.0/24', 'reserved'), // RFC 5737 documentation
  ipv4Block('203.0.113.0/24', 'reserved'), // RFC 5737 documentation
  ipv4Block('224.0.0.0/4', 'multicast'), // RFC 5771
  ipv4Block('240.0.0.0/4', 'reserved'), // RFC 1112 future use
];

const IPV6_BLOCKS: readonly Block[] = [
  ipv6Block('::/128', 'unspecified'), // RFC 4291
  ipv6Block('::1/128', 'loopback'), // RFC 4291
  ipv6Block('::ffff:0:0/96', 'embedded-ipv4'), // RFC 4291 IPv4-mapped: as dangerous as the IPv4 address
  ipv6Block('::/96', 'reserved'), // RFC 4291 deprecated IPv4-compatible
  ipv6Block('64:ff9b::/96', 'embedded-ipv4'), // RFC 6052 NAT64: reaches the embedded IPv4 address
  ipv6Block('64:ff9b:1::/48', 'reserved'), // RFC 8215 local-use NAT64
  ipv6Block('100::/64', 'reserved'), // RFC 6666 discard-only
  ipv6Block('2001:db8::/32', 'reserved'), // RFC 3849 documentation
  ipv6Block('2001::/23', 'reserved'), // RFC 2928 IETF protocol assignments (Teredo, benchmarking…)
  ipv6Block('2002::/16', 'embedded-ipv4'), // RFC 3056 6to4: the IPv4 address follows the prefix
  ipv6Block('3fff::/20', 'reserved'), // RFC 9637 documentation
  ipv6Block('fd00:ec2::254/128', 'metadata'), // AWS instance metadata over IPv6
  ipv6Block('fc00::/7', 'private'), // RFC 4193 unique local
  ipv6Block('fe80::/10', 'link-local'), // RFC 4291
  ipv6Block('fec0::/10', 'private'), // RFC 3879 deprecated site-local
  ipv6Block('ff00::/8', 'multicast'), // RFC 4291
];

/** RFC 4291 §2.4: global unicast is 2000::/3; nothing outside it (and not listed above) is routable. */
const GLOBAL_UNICAST = ipv6Block('2000::/3', 'public');

/** The class of an IP address literal, or undefined when `address` is not one. */
export function classifyAddress(address: string): AddressClass | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return classifyIpv4(ipv4ToBigInt(bare));
  if (!isIPv6(bare)) return undefined;
  const value = ipv6ToBigInt(bare);
  return value === undefined ? undefined : classifyIpv6(value);
}

function classifyIpv4(value: bigint): AddressClass {
  const block = IPV4_BLOCKS.find((candidate) => contains(candidate, value, 32));
  return block === undefined || block.kind === 'embedded-ipv4' ? 'public' : block.kind;
}

function classifyIpv6(value: bigint): AddressClass {
  const block = IPV6_BLOCKS.find((candidate) => contains(candidate, value, 128));
  if (block?.kind === 'embedded-ipv4') return classifyIpv4(embeddedIpv4(block, value));
  if (block !== undefined) return block.kind;
  return contains(GLOBAL_UNICAST, value, 128) ? 'public' : 'reserved';
}

/** 6to4 carries the IPv4 address right after its 16-bit prefix; the others in the last 32 bits. */
function embeddedIpv4(block: Block, value: bigint): bigint {
  const shift = block.prefix === 16 ? 80n : 0n;
  return (value >> shift) & 0xffffffffn;
}

function contains(block: Block, value: bigint, width: number): boolean {
  const shift = BigInt(width - block.prefix);
  return value >> shift === block.base >> shift;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((sum, octet) => (sum << 8n) + BigInt(Number(octet)), 0n);
}

/** Expands `::` and a trailing dotted IPv4 part; undefined for anything that is not eight groups. */
function ipv6ToBigInt(address: string): bigint | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const v4 = ipv4ToBigInt(dotted);
    text = `${text.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return groups.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group, 16)), 0n);
}
