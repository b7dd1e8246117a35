/**
 * Checks what a caller attaches to an object at `put`: content type, cache control and small
 * string metadata. Both engines store exactly what passes here, so a value that S3 would mangle
 * (non-ASCII, upper-case names) or reject (over 2 KB) fails the same way on a directory.
 */
import { HearthError } from '../../errors/HearthError.js';
import type { PutOptions } from './storage.js';

/** Longest content type or cache control, in characters; real values are far shorter. */
const MAX_HEADER_CHARS = 256;
/** S3's limit on user metadata: names plus values, in bytes. */
const MAX_METADATA_BYTES = 2048;

// Printable ASCII only: these values travel as HTTP headers, where anything else is mangled or refused.
const HEADER_VALUE = /^[\x20-\x7e]*$/;
// Lower-case so both engines agree (S3 lower-cases names); no `_`, which nginx drops from headers.
const METADATA_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** Returns a checked, frozen copy of `options`; throws HEARTH_ERR_STORAGE_BAD_METADATA on the first bad value. */
export function checkPutOptions(key: string, options: PutOptions | undefined): PutOptions {
  if (options === undefined) return Object.freeze({});
  const checked: { contentType?: string; cacheControl?: string; metadata?: Readonly<Record<string, string>> } = {};
  if (options.contentType !== undefined) checked.contentType = checkHeader(key, 'contentType', options.contentType);
  if (options.cacheControl !== undefined) checked.cacheControl = checkHeader(key, 'cacheControl', options.cacheControl);
  // Empty metadata is no metadata: S3 cannot tell the two apart, so neither engine does.
  if (options.metadata !== undefined) {
    const metadata = checkMetadata(key, options.metadata);
    if (Object.keys(metadata).length > 0) checked.metadata = metadata;
  }
  return Object.freeze(checked);
}

function checkHeader(key: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_HEADER_CHARS || !HEADER_VALUE.test(value)) {
    throw badMetadata(key, `${field} ${JSON.stringify(value)} must be 1 to ${MAX_HEADER_CHARS} printable ASCII characters`);
  }
  return value;
}

function checkMetadata(key: string, metadata: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw badMetadata(key, 'metadata must be an object of string values');
  }
  let bytes = 0;
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    if (!METADATA_NAME.test(name)) {
      throw badMetadata(key, `metadata name ${JSON.stringify(name)} must be lower-case letters, digits and inner '-'`);
    }
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw badMetadata(key, `metadata '${name}' must be a string of printable ASCII, got ${JSON.stringify(value)}`);
    }
    bytes += name.length + value.length;
    copy[name] = value;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw badMetadata(key, `metadata is ${bytes} bytes; S3 allows ${MAX_METADATA_BYTES}: keep large data in an object of its own`);
  }
  return Object.freeze(copy);
}

function badMetadata(key: string, problem: string): HearthError {
  return new HearthError('HEARTH_ERR_STORAGE_BAD_METADATA', `put ${JSON.stringify(key)}: ${problem}`);
}
