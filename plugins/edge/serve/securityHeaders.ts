/**
 * The headers every file of a site is served with: security defaults, then the plugin's `headers`,
 * then the site's (names compared case-insensitively; an empty value removes a default). Built
 * once per site when the edge starts.
 */
import { HearthError } from '../../../core/errors/HearthError.js';

/**
 * Security defaults: no MIME sniffing (a text file cannot run as script), referrers cut to the
 * origin across sites, and framing only by the site itself (the old header and CSP's, for old and
 * new browsers; a CSP holding only frame-ancestors restricts nothing else a page does).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-Frame-Options': 'SAMEORIGIN',
  'Content-Security-Policy': "frame-ancestors 'self'",
});

/** Headers the edge sets itself per response; configuring them would break HTTP. */
const RESERVED = new Set([
  'content-length', 'content-type', 'content-encoding', 'content-range', 'transfer-encoding', 'connection', 'keep-alive',
  'etag', 'last-modified', 'vary', 'accept-ranges', 'date', 'location', 'cache-control', 'x-request-id', 'upgrade', 'trailer',
]);

/** True for a header the edge sets per response, which `headers` may not set (case-insensitive). */
export function isReservedHeader(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

/** What the site's headers are built from. */
export interface HeaderSources {
  readonly site: string;
  /** True when the edge itself serves TLS: HSTS is sent only then. */
  readonly tls: boolean;
  readonly hstsMaxAge: number;
  readonly pluginHeaders?: Readonly<Record<string, string>>;
  readonly siteHeaders?: Readonly<Record<string, string>>;
}

/** The fixed headers of one site's responses, as a frozen name -> value map. */
export function siteHeaders(sources: HeaderSources): Readonly<Record<string, string>> {
  const merged = new Map<string, { name: string; value: string }>();
  const apply = (headers: Readonly<Record<string, string>> | undefined, where: string): void => {
    for (const [name, value] of Object.entries(headers ?? {})) {
      const key = name.toLowerCase();
      if (isReservedHeader(key)) {
        throw new HearthError('HEARTH_ERR_EDGE_CONFIG', `${where} sets '${name}', which the edge sets per response; remove it (use cacheControl rules for Cache-Control)`);
      }
      if (value === '') merged.delete(key);
      else merged.set(key, { name, value });
    }
  };
  const defaults: Record<string, string> = { ...SECURITY_HEADERS };
  if (sources.tls && sources.hstsMaxAge > 0) defaults['Strict-Transport-Security'] = `max-age=${sources.hstsMaxAge}`;
  apply(defaults, 'the defaults');
  apply(sources.pluginHeaders, 'plugins.edge.headers');
  apply(sources.siteHeaders, `sites.${sources.site}.edge.headers`);
  const result: Record<string, string> = {};
  for (const { name, value } of merged.values()) result[name] = value;
  return Object.freeze(result);
}
