/**
 * Reads objects out of a pack file with Node's native zlib: the object header (type, size, delta
 * base), the inflated data, and git's delta format applied on top of the base. Resolved bases are
 * kept in a byte-bounded cache, since a deploy reads most objects of a fresh pack and their delta
 * chains share bases. Every size is checked against what the pack announced.
 */
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import type { GitObject } from './objectStore.js';

const TYPES: Readonly<Record<number, GitObject['type']>> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;
/** Bytes of resolved objects kept as delta bases: a few large files or thousands of pages. */
const BASE_CACHE_BYTES = 64 * 1024 * 1024;

/** A pack file loaded for reading. */
export class PackReader {
  readonly #pack: Buffer;
  readonly #name: string;
  readonly #cache = new Map<number, GitObject>();
  #cachedBytes = 0;

  private constructor(pack: Buffer, name: string) {
    this.#pack = pack;
    this.#name = name;
  }

  /** Loads a pack file. */
  static async open(path: string): Promise<PackReader> {
    return new PackReader(await readFile(path), path);
  }

  /** Reads a pack already in memory; `name` is used in error messages. */
  static fromBuffer(pack: Buffer, name: string): PackReader {
    return new PackReader(pack, name);
  }

  /**
   * The object at `offset`. `readRef` resolves a REF_DELTA base by id (from this pack or another).
   * Throws on a malformed object or a delta that does not fit its base.
   */
  async read(offset: number, readRef: (oid: string) => Promise<GitObject>): Promise<GitObject> {
    const cached = this.#cache.get(offset);
    if (cached) return cached;
    const pack = this.#pack;
    let position = offset;
    let byte = this.#byte(position++);
    const type = (byte >> 4) & 7;
    let size = byte & 15;
    for (let shift = 4; byte & 0x80; shift += 7) {
      byte = this.#byte(position++);
      size += (byte & 0x7f) * 2 ** shift;
    }
    let base: GitObject | undefined;
    if (type === OFS_DELTA) {
      byte = this.#byte(position++);
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        byte = this.#byte(position++);
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      if (distance <= 0 || distance > offset) throw this.#bad(offset, 'an offset delta points outside the pack');
      base = await this.read(offset - distance, readRef);
      this.#remember(offset - distance, base);
    } else if (type === REF_DELTA) {
      if (position + 20 > pack.length) throw this.#bad(offset, 'a delta base id is cut short');
      base = await readRef(pack.toString('hex', position, position + 20));
      position += 20;
    } else if (TYPES[type] === undefined) {
      throw this.#bad(offset, `unknown object type ${type}`);
    }
    let data: Buffer;
    try {
      // Never inflate past the announced size: a deflate bomb stops here, not in memory.
      data = inflateSync(pack.subarray(position, pack.length - 20), { maxOutputLength: Math.max(size, 1) });
    } catch (error) {
      throw this.#bad(offset, `its data does not inflate (${(error as Error).message})`);
    }
    if (data.length !== size) throw this.#bad(offset, `it inflates to ${data.length} bytes, not the ${size} announced`);
    if (!base) return { type: TYPES[type]!, content: data };
    return { type: base.type, content: applyDelta(data, base.content, () => this.#bad(offset, 'its delta does not fit its base')) };
  }

  #byte(position: number): number {
    const value = this.#pack[position];
    if (value === undefined || position >= this.#pack.length - 20) throw this.#bad(position, 'an object header runs past the end');
    return value;
  }

  #remember(offset: number, object: GitObject): void {
    if (this.#cache.has(offset) || object.content.length > BASE_CACHE_BYTES / 8) return;
    this.#cache.set(offset, object);
    this.#cachedBytes += object.content.length;
    // Maps iterate in insertion order: the oldest entries go first.
    for (const [key, value] of this.#cache) {
      if (this.#cachedBytes <= BASE_CACHE_BYTES) break;
      this.#cache.delete(key);
      this.#cachedBytes -= value.content.length;
    }
  }

  #bad(offset: number, what: string): Error {
    return new Error(`${this.#name}: object at offset ${offset}: ${what}`);
  }
}

/** Applies a git delta (copy/insert instructions) to `base`. Calls `bad` for anything inconsistent. */
export function applyDelta(delta: Buffer, base: Buffer, bad: () => Error): Buffer {
  let position = 0;
  const next = (): number => {
    const byte = delta[position++];
    if (byte === undefined) throw bad();
    return byte;
  };
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = next();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  if (varint() !== base.length) throw bad();
  const target = Buffer.allocUnsafe(varint());
  let written = 0;
  while (position < delta.length) {
    const op = delta[position++]!;
    if (op & 0x80) {
      let copyOffset = 0;
      let copySize = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) copyOffset += next() * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) copySize += next() * 2 ** (8 * bit);
      if (copySize === 0) copySize = 0x10000;
      if (copyOffset + copySize > base.length || written + copySize > target.length) throw bad();
      base.copy(target, written, copyOffset, copyOffset + copySize);
      written += copySize;
    } else if (op > 0) {
      if (position + op > delta.length || written + op > target.length) throw bad();
      delta.copy(target, written, position, position + op);
      written += op;
      position += op;
    } else {
      throw bad();
    }
  }
  if (written !== target.length) throw bad();
  return target;
}
