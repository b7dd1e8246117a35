/**
 * A pack's `.idx` (version 2): "is this object in the pack?" answered by binary search over its
 * sorted object ids, without loading the pack itself (reading objects is isomorphic-git's job).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const IDX_MAGIC = Buffer.from([0xff, 0x74, 0x4f, 0x63]);
const HEADER_BYTES = 8;
const FANOUT_BYTES = 256 * 4;
const OID_BYTES = 20;

/** The object ids of one pack, sorted. */
export class PackIndexFile {
  readonly #bytes: Buffer;
  readonly #fanout: Uint32Array;

  private constructor(bytes: Buffer, fanout: Uint32Array) {
    this.#bytes = bytes;
    this.#fanout = fanout;
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
    // Ids, CRCs and 4-byte offsets; large offsets (packs over 2 GiB) may follow.
    if (bytes.length < HEADER_BYTES + FANOUT_BYTES + count * (OID_BYTES + 8)) throw new Error(`${name} is shorter than its ${count} entries`);
    return new PackIndexFile(bytes, fanout);
  }

  /** True when the pack holds the object. */
  has(oid: string): boolean {
    return this.#position(oid) >= 0;
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

/**
 * The indexes of every complete pack in `gitdir`'s `objects/pack` (none when it has no such
 * directory). Throws when an index is malformed.
 */
export async function readPackIndexes(gitdir: string): Promise<PackIndexFile[]> {
  const packDir = join(gitdir, 'objects', 'pack');
  let names: string[];
  try {
    names = await readdir(packDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // An index without its pack is a half-moved pack; it does not count until the pack is there.
  const indexes = names.filter((name) => name.endsWith('.idx') && names.includes(name.replace(/\.idx$/, '.pack')));
  return Promise.all(indexes.map((name) => PackIndexFile.read(join(packDir, name))));
}
