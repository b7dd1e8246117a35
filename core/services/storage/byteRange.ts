/**
 * Byte ranges as HTTP and S3 define them: both ends inclusive, an open end reads to the last byte,
 * an end past the object is cut at the last byte, and a start at or past the end is unsatisfiable
 * (HEARTH_ERR_STORAGE_BAD_RANGE, HTTP 416). Both engines go through these functions so they agree.
 */
import { HearthError } from '../../errors/HearthError.js';
import type { ByteRange } from './storage.js';

/** A range resolved against an object's size: both ends inclusive and inside the object. */
export interface ResolvedRange {
  readonly start: number;
  readonly end: number;
}

/** Throws HEARTH_ERR_STORAGE_BAD_RANGE unless `range` is well formed (before the size is known). */
export function assertByteRange(key: string, range: ByteRange): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw badRange(key, range, 'start must be a whole number of bytes, 0 or more');
  }
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw badRange(key, range, 'end must be a whole number of bytes, at least start (both ends are inclusive)');
  }
  return range;
}

/** The part of an object of `size` bytes that `range` selects; throws when it starts past the end. */
export function resolveByteRange(key: string, range: ByteRange, size: number): ResolvedRange {
  assertByteRange(key, range);
  if (range.start >= size) {
    throw badRange(key, range, `it starts at byte ${range.start} but the object has ${size} bytes`);
  }
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

/** The `Range` request header for `range`. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end ?? ''}`;
}

/** Parses a `Content-Range: bytes start-end/size` response header; undefined when it is not one. */
export function parseContentRange(header: string | undefined): (ResolvedRange & { readonly size: number }) | undefined {
  const match = header === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (match === null) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
}

function badRange(key: string, range: ByteRange, problem: string): HearthError {
  const shown = `${String(range.start)}-${range.end === undefined ? '' : String(range.end)}`;
  return new HearthError('HEARTH_ERR_STORAGE_BAD_RANGE', `range bytes=${shown} of ${JSON.stringify(key)} is not satisfiable: ${problem}`);
}
