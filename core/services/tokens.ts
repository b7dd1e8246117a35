/**
 * Sites and tokens from the host file. Tokens are random strings shown once by `hearth token new`;
 * the file keeps only their SHA-256. A presented token is hashed and compared with every stored
 * hash in constant time (no early exit), so timing tells nothing about which hash came close.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SiteConfig, TokenConfig, TokenScope } from '../config/types.js';

/** The prefix of every token, so a leaked one is recognisable by secret scanners. */
export const TOKEN_PREFIX = 'hth_';
const HASH_PREFIX = 'sha256:';

/** What a verified token may do. */
export interface TokenGrant {
  readonly name: string;
  readonly sites: readonly string[];
  readonly scopes: readonly TokenScope[];
}

/** The outcome of {@link TokenRegistry.authorize}. */
export type Authorization =
  | { readonly ok: true; readonly grant: TokenGrant }
  | { readonly ok: false; readonly reason: 'unauthenticated' | 'forbidden' };

/** Whether a grant holds `scope` (on whichever sites it names). `admin` implies every scope. */
export function grantHasScope(grant: TokenGrant, scope: TokenScope): boolean {
  return grant.scopes.includes(scope) || grant.scopes.includes('admin');
}

/** A fresh token: 32 random bytes, base64url, with the `hth_` prefix. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The `sha256:<hex>` line stored in the host file for a token. */
export function hashToken(token: string): string {
  return HASH_PREFIX + createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Sites and tokens, with lookups by host name and constant-time token checks. */
export class TokenRegistry {
  readonly sites: ReadonlyMap<string, SiteConfig>;
  readonly #byHostname = new Map<string, string>();
  readonly #tokens: readonly { digest: Buffer; grant: TokenGrant }[];

  constructor(sites: Readonly<Record<string, SiteConfig>>, tokens: Readonly<Record<string, TokenConfig>>) {
    this.sites = new Map(Object.entries(sites));
    for (const site of this.sites.values()) {
      this.#byHostname.set(site.name, site.name);
      for (const alias of site.aliases) this.#byHostname.set(alias, site.name);
    }
    this.#tokens = Object.values(tokens).map((token) => ({
      digest: Buffer.from(token.hash.slice(HASH_PREFIX.length), 'hex'),
      grant: Object.freeze({ name: token.name, sites: token.sites, scopes: token.scopes }),
    }));
  }

  /** The site a request's Host header names (site name or alias, port ignored, case-insensitive). */
  siteForHostname(hostname: string): string | undefined {
    const bare = hostname.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
    return this.#byHostname.get(bare);
  }

  /** The grant of a token, or undefined when no stored hash matches. */
  verify(token: string): TokenGrant | undefined {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: TokenGrant | undefined;
    for (const entry of this.#tokens) {
      // Every entry is compared, match or not, so the time taken does not depend on the match.
      if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry.grant;
    }
    return found;
  }

  /** Whether `token` may use `scope` on `site`. `admin` implies every scope. */
  authorize(token: string | undefined, site: string, scope: TokenScope): Authorization {
    if (!token) return { ok: false, reason: 'unauthenticated' };
    const grant = this.verify(token);
    if (!grant) return { ok: false, reason: 'unauthenticated' };
    const siteOk = grant.sites.includes('*') || grant.sites.includes(site);
    const scopeOk = grantHasScope(grant, scope);
    return siteOk && scopeOk ? { ok: true, grant } : { ok: false, reason: 'forbidden' };
  }
}
