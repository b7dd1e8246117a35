/**
 * Conditional requests (RFC 9110 §13), evaluated against the representation the response would
 * carry — its ETag — and the release's Last-Modified, in the order of §13.2.2:
 * 1. If-Match (strong comparison; `*` passes), else If-Unmodified-Since: failing, 412;
 * 2. If-None-Match (weak comparison; `*` matches), else If-Modified-Since: matching, 304;
 * 3. If-Range (strong comparison, or exactly the Last-Modified date) decides whether a Range is
 *    honoured (fileResponder.ts).
 * Dates are read strictly as HTTP dates (httpDate.ts); anything else is ignored.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseHttpDate, wholeSeconds } from './httpDate.js';

/** The date validator of a representation (a ServedRelease is one). */
export interface LastModified {
  readonly lastModifiedMs: number;
  /** `lastModifiedMs` as the HTTP date sent in Last-Modified. */
  readonly lastModified: string;
}

/** How the preconditions of a request came out: go on, 304, or 412. */
export type Precondition = 'proceed' | 'not-modified' | 'failed';

/** The time a date header names, or undefined when it is no HTTP date; an echo of Last-Modified needs no parsing. */
function dateOf(value: string, modified: LastModified): number | undefined {
  return value === modified.lastModified ? wholeSeconds(modified.lastModifiedMs) : parseHttpDate(value);
}

/**
 * True when an entity-tag list (`"a", W/"b"`) or `*` names `etag`: compared weakly (W/ ignored on
 * both sides), or strongly (neither side weak).
 */
function listNames(header: string, etag: string, comparison: 'weak' | 'strong'): boolean {
  if (header.trim() === '*') return true;
  const weak = etag.startsWith('W/');
  if (weak && comparison === 'strong') return false;
  const opaque = weak ? etag.slice(2) : etag;
  // Cheap exit for the common miss: the tag appears nowhere in the header.
  if (!header.includes(opaque)) return false;
  for (const member of header.split(',')) {
    const tag = member.trim();
    if (tag === opaque || (comparison === 'weak' && tag.startsWith('W/') && tag.slice(2) === opaque)) return true;
  }
  return false;
}

/** True when the request carries a header {@link evaluatePreconditions} reads: without one, nothing is evaluated. */
export function hasPreconditions(headers: IncomingHttpHeaders): boolean {
  return headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined || headers['if-match'] !== undefined || headers['if-unmodified-since'] !== undefined;
}

/**
 * The outcome of a GET's preconditions for the representation `etag` names: `failed` (412) when
 * If-Match does not name that ETag or, without If-Match, it was modified after
 * If-Unmodified-Since; then `not-modified` (304) when If-None-Match names it or, without
 * If-None-Match, it was not modified after If-Modified-Since. Dates count in whole seconds, as
 * HTTP dates do.
 */
export function evaluatePreconditions(headers: IncomingHttpHeaders, etag: string, modified: LastModified): Precondition {
  const lastModified = wholeSeconds(modified.lastModifiedMs);
  const match = headers['if-match'];
  if (match !== undefined) {
    if (!listNames(match, etag, 'strong')) return 'failed';
  } else {
    const unmodifiedSince = headers['if-unmodified-since'];
    const until = unmodifiedSince === undefined ? undefined : dateOf(unmodifiedSince, modified);
    if (until !== undefined && lastModified > until) return 'failed';
  }
  const noneMatch = headers['if-none-match'];
  if (noneMatch !== undefined) return listNames(noneMatch, etag, 'weak') ? 'not-modified' : 'proceed';
  const modifiedSince = headers['if-modified-since'];
  const since = modifiedSince === undefined ? undefined : dateOf(modifiedSince, modified);
  return since !== undefined && lastModified <= since ? 'not-modified' : 'proceed';
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
