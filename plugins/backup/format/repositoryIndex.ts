/**
 * The index: which pack holds each blob, and where. Stored as index files (sealed, compressed JSON)
 * that each describe some packs; loaded together they form one in-memory map. The same blob may
 * appear in several packs (two hosts racing, an interrupted run re-uploading); any copy serves.
 *
 * An index file's plaintext:
 * `{"version":1,"packs":[{"id":hex,"size":n,"blobs":[[id,type,offset,length,rawLength,codec],…]}]}`
 */
import { BlobType, type PackedBlob } from './pack.js';

/** A pack and the blobs it holds. */
export interface IndexedPack {
  readonly id: string;
  readonly size: number;
  readonly blobs: readonly PackedBlob[];
}

/** A blob and the pack it is in. */
export interface BlobLocation extends PackedBlob {
  readonly pack: string;
}

const HEX_ID = /^[0-9a-f]{64}$/;

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Serialises packs as an index file's plaintext. */
export function encodeIndex(packs: readonly IndexedPack[]): Buffer {
  const body = packs.map((pack) => ({
    id: pack.id,
    size: pack.size,
    blobs: pack.blobs.map((b) => [b.id, b.type, b.offset, b.length, b.rawLength, b.codec]),
  }));
  return Buffer.from(JSON.stringify({ version: 1, packs: body }));
}

/** Parses an index file's plaintext, checking every field; throws a TypeError on the first bad one. */
export function decodeIndex(plain: Buffer): IndexedPack[] {
  const value = JSON.parse(plain.toString('utf8')) as { version?: unknown; packs?: unknown };
  if (value.version !== 1 || !Array.isArray(value.packs)) throw new TypeError(`index version ${String(value.version)} is not 1`);
  return value.packs.map((raw: unknown) => {
    const pack = raw as { id?: unknown; size?: unknown; blobs?: unknown };
    if (typeof pack.id !== 'string' || !HEX_ID.test(pack.id) || !isCount(pack.size) || !Array.isArray(pack.blobs)) {
      throw new TypeError(`index entry ${JSON.stringify(raw).slice(0, 80)} is malformed`);
    }
    const blobs = pack.blobs.map((entry: unknown): PackedBlob => {
      const [id, type, offset, length, rawLength, codec] = Array.isArray(entry) ? (entry as unknown[]) : [];
      const valid =
        typeof id === 'string' && HEX_ID.test(id) && (type === BlobType.data || type === BlobType.tree) &&
        isCount(offset) && isCount(length) && isCount(rawLength) && isCount(codec) && offset + length <= (pack.size as number);
      if (!valid) throw new TypeError(`index blob entry ${JSON.stringify(entry).slice(0, 120)} in pack ${pack.id as string} is malformed`);
      return { id, type, offset, length, rawLength, codec };
    });
    return { id: pack.id, size: pack.size, blobs };
  });
}

/** Every known blob and pack, from all index files. */
export class RepositoryIndex {
  readonly #blobs = new Map<string, BlobLocation>();
  readonly #packs = new Map<string, IndexedPack>();

  /** Adds a pack's blobs; a blob already known keeps its first location. */
  addPack(pack: IndexedPack): void {
    if (this.#packs.has(pack.id)) return;
    this.#packs.set(pack.id, pack);
    for (const blob of pack.blobs) {
      if (!this.#blobs.has(blob.id)) this.#blobs.set(blob.id, { ...blob, pack: pack.id });
    }
  }

  /** True when some pack holds the blob. */
  has(id: string): boolean {
    return this.#blobs.has(id);
  }

  /** Where a blob is, if anywhere. */
  get(id: string): BlobLocation | undefined {
    return this.#blobs.get(id);
  }

  /** True when the pack is indexed. */
  hasPack(id: string): boolean {
    return this.#packs.has(id);
  }

  /** A pack's entry, if indexed. */
  pack(id: string): IndexedPack | undefined {
    return this.#packs.get(id);
  }

  /** Every indexed pack. */
  packs(): IterableIterator<IndexedPack> {
    return this.#packs.values();
  }

  get packCount(): number {
    return this.#packs.size;
  }

  get blobCount(): number {
    return this.#blobs.size;
  }
}
