/**
 * A cache keyed by a run of bytes inside a larger buffer (a host name or a user agent inside a
 * network read), so a hit needs no string: the caller hashes the bytes as it reads them, and an
 * entry is a hit only when its bytes are the same. One entry per hash: a collision replaces the
 * older entry, which is cheaper than chaining for keys this few. Starts over when full.
 */

/** FNV-1a (32-bit) of `data[start..end)`. */
export function hashBytes(data: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index++) hash = Math.imul(hash ^ data[index]!, 16777619);
  return hash >>> 0;
}

/** Below this many bytes a loop compares faster than a native call. */
const NATIVE_COMPARE_BYTES = 32;

/** True when `key` holds the bytes `data[start..end)`. */
function sameBytes(key: Buffer, data: Buffer, start: number, end: number): boolean {
  const length = end - start;
  if (key.length !== length) return false;
  if (length >= NATIVE_COMPARE_BYTES) return data.compare(key, 0, length, start, end) === 0;
  for (let index = 0; index < length; index++) if (key[index] !== data[start + index]) return false;
  return true;
}

interface Entry<T> {
  readonly key: Buffer;
  readonly value: T;
}

/** Byte runs to values, at most `limit` of them. */
export class ByteKeyCache<T> {
  readonly #limit: number;
  #entries = new Map<number, Entry<T>>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The value for the bytes `data[start..end)` whose {@link hashBytes} is `hash`, or undefined. */
  get(data: Buffer, start: number, end: number, hash: number): T | undefined {
    const entry = this.#entries.get(hash);
    return entry !== undefined && sameBytes(entry.key, data, start, end) ? entry.value : undefined;
  }

  /** Remembers a value for those bytes (copied: the cache never holds on to `data`). */
  set(data: Buffer, start: number, end: number, hash: number, value: T): void {
    if (this.#entries.size >= this.#limit) this.#entries = new Map();
    this.#entries.set(hash, { key: Buffer.from(data.subarray(start, end)), value });
  }
}
