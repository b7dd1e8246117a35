/**
 * Conditional requests (RFC 9110 §13) for files whose ETag is their blob id: If-None-Match (weak
 * comparison; every encoding of one blob is the same content), If-Modified-Since (only when
 * If-None-Match is absent), and If-Range (strong comparison, or an exact date). Dates are read
 * strictly as HTTP dates (httpDate.ts); anything else is ignored.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseHttpDate } from './httpDate.js';

/** Suffixes the edge adds to a blob id for its compressed representations. */
const ENCODING_SUFFIXES = ['-br', '-gz'] as const;

/** The ETag of a blob's representation: `"<blob>"`, `"<blob>-br"` or `"<blob>-gz"`. */
export function etagOf(blob: string, encoding: 'identity' | 'br' | 'gzip'): string {
  return encoding === 'identity' ? `"${blob}"` : encoding === 'br' ? `"${blob}-br"` : `"${blob}-gz"`;
}

function tagNamesBlob(tag: string, blob: string): boolean {
  let value = tag.trim();
  if (value.startsWith('W/')) value = value.slice(2);
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return false;
  value = value.slice(1, -1);
  if (value === blob) return true;
  for (const suffix of ENCODING_SUFFIXES) if (value.length === blob.length + suffix.length && value.endsWith(suffix) && value.startsWith(blob)) return true;
  return false;
}

/** True when an If-None-Match header lists the blob (in any encoding) or is `*`. */
export function noneMatchHits(header: string, blob: string): boolean {
  if (header.trim() === '*') return true;
  // Cheap exit for the common miss: the blob id appears nowhere in the header.
  if (!header.includes(blob)) return false;
  return header.split(',').some((tag) => tagNamesBlob(tag, blob));
}

/**
 * True when the client's copy is current: 304. If-None-Match decides when present; otherwise
 * If-Modified-Since against `lastModifiedMs` (whole seconds, as HTTP dates are).
 */
export function isNotModified(headers: IncomingHttpHeaders, blob: string, lastModifiedMs: number): boolean {
  const noneMatch = headers['if-none-match'];
  if (noneMatch !== undefined) return noneMatchHits(noneMatch, blob);
  const modifiedSince = headers['if-modified-since'];
  if (modifiedSince === undefined) return false;
  // A value that is not an HTTP date is ignored (RFC 9110 §13.1.3).
  const since = parseHttpDate(modifiedSince);
  return since !== undefined && Math.floor(lastModifiedMs / 1000) * 1000 <= since;
}

/**
 * True when a Range may be honoured: no If-Range, or one naming exactly this representation
 * (strong ETag) or its Last-Modified date. Otherwise the whole file is sent.
 */
export function ifRangeAllows(headers: IncomingHttpHeaders, blob: string, lastModifiedMs: number): boolean {
  const ifRange = headers['if-range'];
  if (ifRange === undefined) return true;
  if (typeof ifRange !== 'string') return false;
  const value = ifRange.trim();
  if (value.startsWith('"')) return value === `"${blob}"`;
  if (value.startsWith('W/')) return false;
  return parseHttpDate(value) === Math.floor(lastModifiedMs / 1000) * 1000;
}
