/**
 * A pack's `.idx` (version 2): "is this object in the pack, and at which offset?" answered by
 * binary search over its sorted object ids, without loading the pack itself.
 */
import { readFile } from 'node:fs/promises';

const IDX_MAGIC = Buffer.from([0xff, 0x74, 0x4f, 0x63]);
const HEADER_BYTES = 8;
const FANOUT_BYTES = 256 * 4;
const OID_BYTES = 20;

/** The object ids of one pack, sorted, with their offsets in the pack. */
export class PackIndexFile {
  readonly #bytes: Buffer;
  readonly #fanout: Uint32Array;
  readonly #count: number;

  private constructor(bytes: Buffer, fanout: Uint32Array) {
    this.#bytes = bytes;
    this.#fanout = fanout;
    this.#count = fanout[255] ?? 0;
  }

  /** Reads and checks an `.idx` file. Throws on anything but a well-formed version 2 index. */
  static async read(path: string): Promise<PackIndexFile> {
    return PackIndexFile.parse(await readFile(path), path);
  }

  /** Parses the bytes of an `.idx` file; `name` is used in error messages. */
  static parse(bytes: Buffer, name: string): PackIndexFile {
    if (bytes.length < HEADER_BYTES + FANOUT_BYTES || !bytes.subarray(0, 4).equals(IDX_MAGIC) || bytes.readUInt32BE(4) !== 2) {
      throw new Error(`${name} is not a version 2 pack index`);
    }
    const fanout = new Uint32Array(256);
    for (let i = 0; i < 256; i++) fanout[i] = bytes.readUInt32BE(HEADER_BYTES + i * 4);
    const count = fanout[255] ?? 0;
    // Ids, CRCs and 4-byte offsets; large offsets (packs over 2 GiB) follow and are checked on use.
    if (bytes.length < HEADER_BYTES + FANOUT_BYTES + count * (OID_BYTES + 8)) throw new Error(`${name} is shorter than its ${count} entries`);
    return new PackIndexFile(bytes, fanout);
  }

  /** How many objects the pack holds. */
  get size(): number {
    return this.#count;
  }

  /** True when the pack holds the object. */
  has(oid: string): boolean {
    return this.#position(oid) >= 0;
  }

  /** Where the object starts in the pack, or undefined when the pack does not hold it. */
  offsetOf(oid: string): number | undefined {
    const position = this.#position(oid);
    if (position < 0) return undefined;
    const offsets = HEADER_BYTES + FANOUT_BYTES + this.#count * (OID_BYTES + 4);
    const offset = this.#bytes.readUInt32BE(offsets + position * 4);
    if ((offset & 0x80000000) === 0) return offset;
    const large = offsets + this.#count * 4 + (offset & 0x7fffffff) * 8;
    if (large + 8 > this.#bytes.length) throw new Error(`pack index entry ${oid} points past its large-offset table`);
    return Number(this.#bytes.readBigUInt64BE(large));
  }

  #position(oid: string): number {
    const wanted = Buffer.from(oid, 'hex');
    if (wanted.length !== OID_BYTES) return -1;
    const first = wanted[0] ?? 0;
    let low = first === 0 ? 0 : (this.#fanout[first - 1] ?? 0);
    let high = (this.#fanout[first] ?? 0) - 1;
    const start = HEADER_BYTES + FANOUT_BYTES;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = this.#bytes.compare(wanted, 0, OID_BYTES, start + middle * OID_BYTES, start + (middle + 1) * OID_BYTES);
      if (order === 0) return middle;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }
}
