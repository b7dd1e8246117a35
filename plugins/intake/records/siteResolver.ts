/**
 * Which site a request belongs to. In order: the site the sender named (it must be one of the host
 * file's sites), the host name it was for (a site's name or alias, port and case ignored), Bunny's
 * pull zone id (`sites.<site>.intake.bunnyPullZones`), then the listener's default site. A request
 * for none of them is dropped as `unknown_site`.
 */
import type { TokenRegistry } from '../../../core/services/tokens.js';
import { ownedText } from './ownedText.js';
import type { RawAccess } from './rawAccess.js';

/** Host names remembered (hit or miss); the cache starts over when full. */
const CACHE_ENTRIES = 10_000;

/** Maps requests to sites. */
export class SiteResolver {
  readonly #tokens: TokenRegistry;
  readonly #pullZones: ReadonlyMap<string, string>;
  readonly #byHost = new Map<string, string | null>();

  constructor(tokens: TokenRegistry, pullZones: ReadonlyMap<string, string>) {
    this.#tokens = tokens;
    this.#pullZones = pullZones;
  }

  /** True for a site of the host file. */
  isSite(name: string): boolean {
    return this.#tokens.sites.has(name);
  }

  /** The site of a request whose URL (if absolute) named `urlHost`; undefined when none matches. */
  resolve(raw: RawAccess, urlHost: string | undefined, defaultSite: string | undefined): string | undefined {
    if (raw.site !== undefined) return this.isSite(raw.site) ? raw.site : undefined;
    const host = raw.host ?? urlHost;
    if (host) {
      const site = this.siteOfHost(host);
      if (site) return site;
    }
    if (raw.pullZoneId) {
      const site = this.#pullZones.get(raw.pullZoneId);
      if (site) return site;
    }
    return defaultSite;
  }

  /** True when some site names Bunny pull zones (a request whose host names no site may still have one). */
  get hasPullZones(): boolean {
    return this.#pullZones.size > 0;
  }

  /** The site a lower-case host name (port allowed) is for, remembered; undefined when none. */
  siteOfHost(host: string): string | undefined {
    const cached = this.#byHost.get(host);
    if (cached !== undefined) return cached ?? undefined;
    const site = this.#tokens.siteForHostname(host.length > 255 ? host.slice(0, 255) : host);
    if (this.#byHost.size >= CACHE_ENTRIES) this.#byHost.clear();
    this.#byHost.set(ownedText(host), site ?? null);
    return site;
  }
}
