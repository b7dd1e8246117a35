/**
 * Which addresses may send logs over UDP and TCP (which carry no credentials): a list of CIDRs,
 * checked with node's BlockList. IPv4 addresses seen as IPv4-mapped IPv6 (`::ffff:1.2.3.4`, from
 * a dual-stack socket) are checked as the IPv4 address they are.
 */
import { BlockList, isIP } from 'node:net';
import { HearthError } from '../../../core/errors/HearthError.js';

/** A parsed allowlist. */
export interface SourceAllowlist {
  allows(address: string): boolean;
}

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** An entry as a subnet, or undefined when it is not a CIDR. */
function parseEntry(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = entry.trim().split('/');
  const family = isIP(address);
  const maxPrefix = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? maxPrefix : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (family === 0 || extra !== undefined || !(prefix >= 0 && prefix <= maxPrefix)) return undefined;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Why an allowlist entry is not a CIDR, or undefined when it is one (for the plugin's config check). */
export function allowlistEntryProblem(entry: string): string | undefined {
  if (parseEntry(entry)) return undefined;
  return `'${entry}' is not a CIDR; write an address with an optional prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32`;
}

/** Parses CIDRs (`10.0.0.0/8`, `2001:db8::/32`, or a single address); throws naming the bad entry. */
export function parseAllowlist(cidrs: readonly string[], where: string): SourceAllowlist {
  const list = new BlockList();
  for (const [index, entry] of cidrs.entries()) {
    const subnet = parseEntry(entry);
    if (!subnet) throw new HearthError('HEARTH_ERR_INTAKE_CONFIG', `${where}[${index}] ${allowlistEntryProblem(entry)}`);
    list.addSubnet(subnet.address, subnet.prefix, subnet.family);
  }
  return {
    allows(address: string): boolean {
      const mapped = MAPPED_V4.exec(address);
      const plain = mapped ? mapped[1]! : address;
      const family = isIP(plain);
      if (family === 0) return false;
      return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
