/**
 * nginx's `combined` format and its virtual-host variants:
 *
 * combined:       `1.2.3.4 - user [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 2326 "ref" "ua"`
 * vhost-combined: `example.com:443 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 2326 "ref" "ua"`
 *
 * The variant is told by the number of fields before `[` (three, or four with the vhost first).
 * Fields after the user agent (custom formats add some) are ignored. A request line that is not
 * `METHOD URI PROTOCOL` (a TLS handshake sent to a plain port, `-`) is kept with method `OTHER`:
 * the server did answer it.
 */
import type { ParseResult } from '../records/rawAccess.js';
import { orNone, readClfTime, readUnsigned, unescapeLogField } from './fieldValues.js';

/** Which variant a caller expects; `either` decides per line. */
export type CombinedVariant = 'combined' | 'vhost-combined' | 'either';

/** Finds the end of a quoted field starting at `open` (the quote); -1 when unterminated. */
function closingQuote(line: string, open: number): number {
  let index = open + 1;
  for (;;) {
    index = line.indexOf('"', index);
    if (index < 0) return -1;
    // A quote preceded by an odd number of backslashes is escaped (Apache writes \").
    let slashes = 0;
    for (let back = index - 1; back > open && line.charCodeAt(back) === 0x5c; back--) slashes++;
    if (slashes % 2 === 0) return index;
    index++;
  }
}

/** Reads a quoted field at `at` (skipping spaces); returns its text and the index after it. */
function quoted(line: string, at: number): { value: string; next: number } | undefined {
  let start = at;
  while (line.charCodeAt(start) === 0x20) start++;
  if (line[start] !== '"') return undefined;
  const end = closingQuote(line, start);
  if (end < 0) return undefined;
  return { value: unescapeLogField(line.slice(start + 1, end)), next: end + 1 };
}

function requestParts(request: string): { method: string; url: string } {
  const firstSpace = request.indexOf(' ');
  const lastSpace = request.lastIndexOf(' ');
  if (firstSpace > 0 && lastSpace > firstSpace && /^[A-Z]{1,16}$/.test(request.slice(0, firstSpace)) && request.startsWith('HTTP/', lastSpace + 1)) {
    return { method: request.slice(0, firstSpace), url: request.slice(firstSpace + 1, lastSpace) };
  }
  // HTTP/0.9 style "GET /path" without a protocol.
  if (firstSpace > 0 && lastSpace === firstSpace && /^[A-Z]{1,16}$/.test(request.slice(0, firstSpace))) {
    return { method: request.slice(0, firstSpace), url: request.slice(firstSpace + 1) };
  }
  return { method: 'OTHER', url: '' };
}

/** True when a line looks like a combined line of either variant (for auto-detection). */
export function looksLikeCombined(line: string): boolean {
  const bracket = line.indexOf(' [');
  return bracket > 0 && bracket < 512 && line.indexOf('] "', bracket) > 0;
}

/** Parses one combined or vhost-combined line. */
export function parseCombinedLine(line: string, variant: CombinedVariant = 'either'): ParseResult {
  const bracket = line.indexOf(' [');
  if (bracket <= 0) return 'malformed';
  const head = line.slice(0, bracket).split(' ');
  const hasVhost = head.length === 4;
  if (head.length !== 3 && !hasVhost) return 'malformed';
  if ((variant === 'combined' && hasVhost) || (variant === 'vhost-combined' && !hasVhost)) return 'malformed';
  const timeEnd = line.indexOf(']', bracket + 2);
  if (timeEnd < 0) return 'malformed';
  const ts = readClfTime(line.slice(bracket + 2, timeEnd));
  if (Number.isNaN(ts)) return 'bad_number';
  const request = quoted(line, timeEnd + 1);
  if (!request) return 'malformed';
  let cursor = request.next;
  while (line.charCodeAt(cursor) === 0x20) cursor++;
  const statusEnd = line.indexOf(' ', cursor);
  const bytesEnd = statusEnd < 0 ? -1 : line.indexOf(' ', statusEnd + 1);
  const status = readUnsigned(line.slice(cursor, statusEnd < 0 ? undefined : statusEnd));
  const bytesText = statusEnd < 0 ? '' : line.slice(statusEnd + 1, bytesEnd < 0 ? undefined : bytesEnd);
  const bytes = bytesText === '-' ? 0 : readUnsigned(bytesText);
  if (Number.isNaN(status) || Number.isNaN(bytes)) return 'bad_number';
  const referrer = bytesEnd < 0 ? undefined : quoted(line, bytesEnd);
  const userAgent = referrer ? quoted(line, referrer.next) : undefined;
  const { method, url } = requestParts(request.value);
  const vhost = hasVhost ? head[0]! : undefined;
  return {
    source: 'nginx',
    host: vhost,
    ip: hasVhost ? head[1] : head[0],
    ts,
    method,
    url,
    status,
    bytes,
    referrer: orNone(referrer?.value),
    userAgent: userAgent?.value,
  };
}
