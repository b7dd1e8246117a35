/**
 * Who the client is, for access logs: the socket's peer, unless the peer is a trusted proxy (Caddy
 * on the same machine), whose `X-Forwarded-For` and `X-Forwarded-Proto` are then believed. The
 * address taken is the right-most one in X-Forwarded-For that is not itself a trusted proxy, so a
 * client cannot pose as another by sending its own header through the proxy.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { HearthError } from '../../../core/errors/HearthError.js';

/** Addresses whose trust is remembered; the table starts over when full. */
const MEMO_ENTRIES = 4_096;

/** The client as the edge logs it. */
export interface ClientInfo {
  readonly ip: string;
  /** `https` when the request reached the edge (or the trusted proxy before it) over TLS. */
  readonly scheme: 'http' | 'https';
}

/** Reads client addresses through a list of trusted proxies. */
export class ClientAddressReader {
  readonly #trusted = new BlockList();
  readonly #memo = new Map<string, boolean>();
  readonly #any: boolean;
  readonly #tls: boolean;

  /** `cidrs` like `127.0.0.1/32`; throws HEARTH_ERR_EDGE_CONFIG naming a malformed one. */
  constructor(cidrs: readonly string[], tls: boolean) {
    for (const cidr of cidrs) {
      const subnet = parseCidr(cidr);
      if (!subnet) throw new HearthError('HEARTH_ERR_EDGE_CONFIG', `plugins.edge.trustedProxies: ${trustedProxyProblem(cidr)}`);
      this.#trusted.addSubnet(subnet.address, subnet.prefix, subnet.family);
    }
    this.#any = cidrs.length > 0;
    this.#tls = tls;
  }

  #isTrusted(address: string): boolean {
    // Every request asks about its peer: remembered, since a BlockList check parses the address.
    let trusted = this.#memo.get(address);
    if (trusted === undefined) {
      const family = isIP(address);
      trusted = family !== 0 && this.#trusted.check(address, family === 4 ? 'ipv4' : 'ipv6');
      if (this.#memo.size >= MEMO_ENTRIES) this.#memo.clear();
      this.#memo.set(address, trusted);
    }
    return trusted;
  }

  /** The client of a request. */
  read(request: IncomingMessage): ClientInfo {
    const peer = unmapped(request.socket.remoteAddress ?? '');
    const scheme = this.#tls ? 'https' : 'http';
    if (!this.#any || !this.#isTrusted(peer)) return { ip: peer, scheme };
    const forwarded = request.headers['x-forwarded-for'];
    let ip = peer;
    if (typeof forwarded === 'string' && forwarded.length <= 1024) {
      const hops = forwarded.split(',');
      for (let index = hops.length - 1; index >= 0; index--) {
        const hop = unmapped(hops[index]!.trim());
        if (isIP(hop) === 0) break;
        ip = hop;
        if (!this.#isTrusted(hop)) break;
      }
    }
    const proto = request.headers['x-forwarded-proto'];
    return { ip, scheme: this.#tls || proto === 'https' ? 'https' : 'http' };
  }
}

/** `127.0.0.1/32` as a subnet; undefined when it is not an address with a prefix length. */
function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', bits = ''] = cidr.split('/');
  const family = isIP(address);
  const prefix = Number(bits);
  if (family === 0 || !/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return undefined;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Why a `trustedProxies` entry is not a CIDR, or undefined when it is one (for the plugin's config check). */
export function trustedProxyProblem(cidr: string): string | undefined {
  return parseCidr(cidr) ? undefined : `'${cidr}' is not a CIDR; write it like 127.0.0.1/32 or ::1/128`;
}

/** `::ffff:1.2.3.4` -> `1.2.3.4`, so IPv4 rules apply on dual-stack sockets. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
