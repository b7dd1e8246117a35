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

function clean(value: string | undefined, fallback: string): string {
  if (value === undefined || value.length === 0) return fallback;
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(value) ? value.replace(UNSAFE, (char) => (char === '|' ? '%7C' : '')) : value;
}

/** The Bunny line of a record (without a line ending). The country field stays empty: the edge does no geo lookup. */
export function bunnyLine(record: EdgeAccessRecord): string {
  // One template, no intermediate array: this runs once per request.
  return `${record.cacheStatus}|${record.status}|${record.ts}|${record.bytes}|${clean(record.pullZoneId, '0')}|${clean(record.ip, '-')}|${clean(record.referrer, '-')}|${clean(record.url, '/')}|${clean(record.edgeLocation, '-')}|${clean(record.userAgent, '-')}|${clean(record.requestId, '-')}|`;
}
