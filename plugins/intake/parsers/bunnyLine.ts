/**
 * Bunny CDN's pipe-delimited access log line (the Logging API v1 format, also what its log
 * forwarding sends inside a syslog message):
 *
 * `HIT|200|1507167062421|412|390|163.172.53.229|-|https://x.b-cdn.net/v.mp4|WA|Mozilla/5.0 …|322b…|DE`
 *
 * cache status | status | unix ms | bytes | pull zone id | remote IP | referer | URL | edge location
 * | user agent | request id | country. A user agent may contain `|`, so the first nine fields are
 * split from the left, the last two from the right, and the user agent is what lies between.
 */
import type { ParseResult } from '../records/rawAccess.js';
import { orNone, readUnixOrIso, readUnsigned } from './fieldValues.js';

/** Cache statuses Bunny documents; others are kept as written (upper case, letters only). */
const KNOWN_CACHE_STATUSES = new Set(['HIT', 'MISS', 'BYPASS', 'REVALIDATED', 'STALE', 'UPDATING', 'EXPIRED', 'ERROR', 'NONE', 'DYNAMIC']);

/** Letters kept of a cache status Bunny does not document. */
export const MAX_CACHE_STATUS_LETTERS = 16;

/**
 * Reads the cache-status token leniently: a byte-order mark (as the character, or spelled `BOM` as
 * Bunny's own forwarding example shows it), case and stray punctuation do not make a line invalid.
 */
export function readCacheStatus(token: string): string {
  if (KNOWN_CACHE_STATUSES.has(token)) return token;
  const letters = token.replace(/^\uFEFF/, '').toUpperCase().replace(/[^A-Z]/g, '');
  if (letters.startsWith('BOM') && KNOWN_CACHE_STATUSES.has(letters.slice(3))) return letters.slice(3);
  return letters.slice(0, MAX_CACHE_STATUS_LETTERS);
}

/** True when a line looks like Bunny's format (for auto-detection). */
export function looksLikeBunnyLine(line: string): boolean {
  const first = line.indexOf('|');
  if (first < 0 || first > 24 || line.charCodeAt(first + 4) !== 0x7c) return false;
  for (let index = first + 1; index <= first + 3; index++) {
    const char = line.charCodeAt(index);
    if (char < 0x30 || char > 0x39) return false;
  }
  return true;
}

/** Parses one Bunny line. */
export function parseBunnyLine(line: string): ParseResult {
  // The nine fields before the user agent, each ended by a pipe (no array: this runs per line).
  const p0 = line.indexOf('|');
  const p1 = p0 < 0 ? -1 : line.indexOf('|', p0 + 1);
  const p2 = p1 < 0 ? -1 : line.indexOf('|', p1 + 1);
  const p3 = p2 < 0 ? -1 : line.indexOf('|', p2 + 1);
  const p4 = p3 < 0 ? -1 : line.indexOf('|', p3 + 1);
  const p5 = p4 < 0 ? -1 : line.indexOf('|', p4 + 1);
  const p6 = p5 < 0 ? -1 : line.indexOf('|', p5 + 1);
  const p7 = p6 < 0 ? -1 : line.indexOf('|', p6 + 1);
  const p8 = p7 < 0 ? -1 : line.indexOf('|', p7 + 1);
  if (p8 < 0) return 'malformed';
  const last = line.lastIndexOf('|');
  const beforeLast = line.lastIndexOf('|', last - 1);
  // The pipe before the request id must come after the user agent starts: twelve fields at least.
  if (beforeLast <= p8) return 'malformed';
  const status = readUnsigned(line.slice(p0 + 1, p1));
  const ts = readUnixOrIso(line.slice(p1 + 1, p2));
  const bytes = readUnsigned(line.slice(p2 + 1, p3));
  if (Number.isNaN(status) || Number.isNaN(ts) || Number.isNaN(bytes)) return 'bad_number';
  if (p6 + 1 === p7) return 'malformed';
  return {
    source: 'bunny',
    cacheStatus: readCacheStatus(line.slice(0, p0)),
    status,
    ts,
    bytes,
    pullZoneId: line.slice(p3 + 1, p4),
    ip: line.slice(p4 + 1, p5),
    referrer: orNone(line.slice(p5 + 1, p6)),
    url: line.slice(p6 + 1, p7),
    edgeLocation: line.slice(p7 + 1, p8),
    userAgent: line.slice(p8 + 1, beforeLast),
    requestId: line.slice(beforeLast + 1, last),
    country: line.slice(last + 1).trim(),
  };
}
