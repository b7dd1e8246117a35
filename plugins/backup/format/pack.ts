/**
 * Packs: many blobs in one stored object, so a repository of millions of chunks is thousands of
 * objects. Layout:
 *
 * ```
 * blob 0 | blob 1 | … | blob n-1 | sealed header | header length (u32 LE)
 * ```
 *
 * Each blob is sealed on its own (associated data: its type and id), so one blob can be read with
 * a range request. The header lists, in order, each blob's type, codec, id, sealed length and
 * plaintext length; offsets follow from the lengths. A pack is named by the SHA-256 of all its
 * bytes, so its integrity can be checked without keys.
 */
import { createHash } from 'node:crypto';
import { AuthenticationError, fileLabel, type SealingKey } from './cipher.js';

/** What a blob holds. */
export const BlobType = Object.freeze({ data: 0, tree: 1 } as const);
/** One of {@link BlobType}'s values. */
export type BlobType = (typeof BlobType)[keyof typeof BlobType];

/** One blob's place in a pack. */
export interface PackedBlob {
  /** Hex of the 32-byte id. */
  readonly id: string;
  readonly type: BlobType;
  /** Offset of the sealed blob in the pack. */
  readonly offset: number;
  /** Length of the sealed blob. */
  readonly length: number;
  /** Length of the blob's plaintext once decompressed. */
  readonly rawLength: number;
  readonly codec: number;
}

const MAGIC = Buffer.from('HPK1');
const ENTRY_BYTES = 1 + 1 + 32 + 4 + 4;
const HEADER_LABEL = fileLabel('pack-header');
/** Bytes of the trailer holding the sealed header's length. */
export const TRAILER_BYTES = 4;

function blobLabel(type: number, id: Uint8Array): Buffer {
  const label = Buffer.allocUnsafe(19 + 1 + 32);
  label.write('hearth-backup:blob:', 0, 'latin1');
  label[19] = type;
  label.set(id, 20);
  return label;
}

/** Seals one blob's stored bytes, bound to its type and id. */
export function sealBlob(key: SealingKey, type: BlobType, id: Uint8Array, stored: Uint8Array): Buffer {
  return key.seal(stored, blobLabel(type, id));
}

/** Opens a blob read from a pack; throws {@link AuthenticationError} when it was altered or moved. */
export function openBlob(key: SealingKey, blob: Pick<PackedBlob, 'id' | 'type'>, sealed: Uint8Array): Buffer {
  return key.open(sealed, blobLabel(blob.type, Buffer.from(blob.id, 'hex')));
}

/** Collects sealed blobs into one pack. */
export class PackBuilder {
  readonly #parts: Buffer[] = [];
  readonly #blobs: PackedBlob[] = [];
  #size = 0;

  /** Bytes of blobs added so far. */
  get size(): number {
    return this.#size;
  }

  /** How many blobs were added. */
  get count(): number {
    return this.#blobs.length;
  }

  /** Appends one sealed blob. */
  add(blob: Omit<PackedBlob, 'offset' | 'length'>, sealed: Buffer): void {
    this.#blobs.push({ ...blob, offset: this.#size, length: sealed.length });
    this.#parts.push(sealed);
    this.#size += sealed.length;
  }

  /**
   * Writes the header and trailer; returns the pack as its parts in order (not joined: the target
   * writes them one after another, saving a copy of every pack), its size, id and blobs.
   */
  finish(key: SealingKey): { readonly id: string; readonly parts: readonly Buffer[]; readonly size: number; readonly blobs: readonly PackedBlob[] } {
    const plain = Buffer.allocUnsafe(MAGIC.length + 4 + this.#blobs.length * ENTRY_BYTES);
    MAGIC.copy(plain, 0);
    plain.writeUInt32LE(this.#blobs.length, 4);
    let at = 8;
    for (const blob of this.#blobs) {
      plain[at] = blob.type;
      plain[at + 1] = blob.codec;
      plain.write(blob.id, at + 2, 'hex');
      plain.writeUInt32LE(blob.length, at + 34);
      plain.writeUInt32LE(blob.rawLength, at + 38);
      at += ENTRY_BYTES;
    }
    const header = key.seal(plain, HEADER_LABEL);
    const trailer = Buffer.allocUnsafe(TRAILER_BYTES);
    trailer.writeUInt32LE(header.length, 0);
    const parts = [...this.#parts, header, trailer];
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part);
    return { id: hash.digest('hex'), parts, size: this.#size + header.length + TRAILER_BYTES, blobs: this.#blobs };
  }
}

/** The sealed header's length from a pack's last {@link TRAILER_BYTES} bytes, checked against the pack size. */
export function headerLengthOf(trailer: Buffer, packSize: number): number {
  const length = trailer.readUInt32LE(trailer.length - TRAILER_BYTES);
  if (length + TRAILER_BYTES > packSize || length < 8) throw new AuthenticationError(`pack header length ${length} does not fit a pack of ${packSize} bytes`);
  return length;
}

/** Opens and parses a pack's sealed header; checks that the blobs exactly fill the space before it. */
export function parsePackHeader(key: SealingKey, sealedHeader: Buffer, packSize: number): PackedBlob[] {
  const plain = key.open(sealedHeader, HEADER_LABEL);
  if (plain.length < 8 || !plain.subarray(0, 4).equals(MAGIC)) throw new AuthenticationError('pack header has no HPK1 magic');
  const count = plain.readUInt32LE(4);
  if (plain.length !== 8 + count * ENTRY_BYTES) throw new AuthenticationError(`pack header of ${plain.length} bytes cannot hold ${count} entries`);
  const blobs: PackedBlob[] = [];
  let offset = 0;
  for (let i = 0, at = 8; i < count; i++, at += ENTRY_BYTES) {
    const type = plain[at]!;
    if (type !== BlobType.data && type !== BlobType.tree) throw new AuthenticationError(`pack header names unknown blob type ${type}`);
    const length = plain.readUInt32LE(at + 34);
    blobs.push({ type, codec: plain[at + 1]!, id: plain.toString('hex', at + 2, at + 34), offset, length, rawLength: plain.readUInt32LE(at + 38) });
    offset += length;
  }
  if (offset + sealedHeader.length + TRAILER_BYTES !== packSize) throw new AuthenticationError(`pack blobs end at ${offset}, header says the pack is ${packSize} bytes`);
  return blobs;
}
