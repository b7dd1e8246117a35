/**
 * The `Range` request header (RFC 9110 §14). The edge answers one range with 206; a list of
 * ranges, a header it cannot read, or a unit other than bytes is ignored and the whole file is
 * sent with 200, as the RFC allows — so a client can never make the edge build a large multipart
 * body. A single range that starts past the end is 416. The unit is case-insensitive (`Bytes=`). An
 * empty file has no byte a range could name: a range on it is ignored and the empty body sent with
 * 200, as nginx does (RFC 9110 §14.2 lets a server ignore Range).
 */

/** What to do with a request's Range header for a file of a given size. */
export type RangeDecision =
  /** Send the whole file (no header, or one the edge ignores). */
  | { readonly kind: 'full' }
  /** Send bytes start..end (inclusive) with 206. */
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  /** Answer 416 with `Content-Range: bytes *\/size`. */
  | { readonly kind: 'unsatisfiable' };

const FULL: RangeDecision = Object.freeze({ kind: 'full' });
const UNSATISFIABLE: RangeDecision = Object.freeze({ kind: 'unsatisfiable' });
/** Longest header read; a single range of two 16-digit numbers is far shorter. */
const MAX_HEADER_LENGTH = 64;
const SINGLE = /^bytes=[ \t]*(\d{0,16})[ \t]*-[ \t]*(\d{0,16})[ \t]*$/i;

/** Decides how to answer `header` for a file of `size` bytes. */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined || header.length > MAX_HEADER_LENGTH || size === 0) return FULL;
  const match = SINGLE.exec(header);
  if (match === null) return FULL;
  const first = match[1] ?? '';
  const last = match[2] ?? '';
  if (first === '' && last === '') return FULL;
  if (first === '') {
    // A suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0) return UNSATISFIABLE;
    return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  // A last position before the first makes the header invalid, which is ignored (RFC 9110 §14.1.1).
  if (last !== '' && Number(last) < start) return FULL;
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'partial', start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
