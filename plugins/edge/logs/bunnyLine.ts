/**
 * An access record as a Bunny CDN log line, the format intake's UDP/TCP listeners read:
 *
 * `cache status|status|unix ms|bytes|pull zone id|remote ip|referer|url|edge location|user agent|request id|country`
 *
 * Client-supplied fields (URL, referrer, user agent) are made safe for the format: a `|` becomes
 * `%7C` and control characters are dropped, so a line always has exactly twelve fields and one line.
 */
import type { EdgeAccessRecord } from './accessRecord.js';

// Control characters (a line break would start a forged line) and the field separator.
const UNSAFE = /[\x00-\x1f\x7f|]/g;

/** True when a value can go into a line as it is (a loop: this runs for fields of every request). */
function isSafe(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const char = value.charCodeAt(index);
    if (char < 0x20 || char === 0x7f || char === 0x7c) return false;
  }
  return true;
}

/** A value made safe for one field of a line: `|` becomes `%7C`, control characters go; empty becomes `fallback`. */
export function bunnyField(value: string | undefined, fallback: string): string {
  if (value === undefined || value.length === 0) return fallback;
  return isSafe(value) ? value : value.replace(UNSAFE, (char) => (char === '|' ? '%7C' : ''));
}

/**
 * The Bunny line of a record (without a line ending). The country field stays empty: the edge does
 * no geo lookup. What the client sent (referrer, URL, user agent) is made safe here; the edge's own
 * fields are safe as they are made — cache status, numbers, request id, the socket's or a checked
 * forwarded address, the pull zone id (digits, by its schema) and the edge location (made safe
 * once, see edgeRuntime.ts).
 */
export function bunnyLine(record: EdgeAccessRecord): string {
  // One template, no intermediate array: this runs once per request.
  return `${record.cacheStatus}|${record.status}|${record.ts}|${record.bytes}|${record.pullZoneId}|${record.ip || '-'}|${bunnyField(record.referrer, '-')}|${bunnyField(record.url, '/')}|${record.edgeLocation}|${bunnyField(record.userAgent, '-')}|${record.requestId}|`;
}
