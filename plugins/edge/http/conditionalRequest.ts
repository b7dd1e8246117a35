/**
 * Conditional requests (RFC 9110 §13), evaluated against the representation the response would
 * carry — its ETag — and the release's Last-Modified: If-None-Match (weak comparison; `*` matches),
 * else If-Modified-Since, answer 304 when they match; If-Range (strong comparison, or exactly the
 * Last-Modified date) decides whether a Range is honoured. Dates are read strictly as HTTP dates
 * (httpDate.ts); anything else is ignored.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseHttpDate } from './httpDate.js';

/** The date validator of a representation (a ServedRelease is one). */
export interface LastModified {
  readonly lastModifiedMs: number;
  /** `lastModifiedMs` as the HTTP date sent in Last-Modified. */
  readonly lastModified: string;
}

/** How the preconditions of a request came out. */
export type Precondition = 'proceed' | 'not-modified';

/** Whole seconds, as HTTP dates hold them, in ms. */
function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** The time a date header names, or undefined when it is no HTTP date; an echo of Last-Modified needs no parsing. */
function dateOf(value: string, modified: LastModified): number | undefined {
  return value === modified.lastModified ? wholeSeconds(modified.lastModifiedMs) : parseHttpDate(value);
}

/** True when an entity-tag list (`"a", W/"b"`) or `*` names `etag`, compared weakly (W/ ignored on both sides). */
function listNames(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  // Cheap exit for the common miss: the tag appears nowhere in the header.
  if (!header.includes(opaque)) return false;
  for (const member of header.split(',')) {
    const tag = member.trim();
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === opaque) return true;
  }
  return false;
}

/** True when the request carries a header {@link evaluatePreconditions} reads: without one, nothing is evaluated. */
export function hasPreconditions(headers: IncomingHttpHeaders): boolean {
  return headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined;
}

/**
 * The outcome of a GET's preconditions for the representation `etag` names: `not-modified` (304)
 * when If-None-Match names that ETag, or, without If-None-Match, it was not modified after
 * If-Modified-Since (whole seconds, as HTTP dates are).
 */
export function evaluatePreconditions(headers: IncomingHttpHeaders, etag: string, modified: LastModified): Precondition {
  const noneMatch = headers['if-none-match'];
  if (noneMatch !== undefined) return listNames(noneMatch, etag) ? 'not-modified' : 'proceed';
  const modifiedSince = headers['if-modified-since'];
  if (modifiedSince === undefined) return 'proceed';
  const since = dateOf(modifiedSince, modified);
  return since !== undefined && wholeSeconds(modified.lastModifiedMs) <= since ? 'not-modified' : 'proceed';
}

/**
 * True when a Range may be honoured under an If-Range header: it names exactly this representation,
 * by its strong ETag (a weak one never matches) or by its Last-Modified date. Otherwise the whole
 * representation is sent.
 */
export function ifRangeHolds(ifRange: string, etag: string, modified: LastModified): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"')) return value === etag;
  if (value.startsWith('W/')) return false;
  return dateOf(value, modified) === wholeSeconds(modified.lastModifiedMs);
}
