/**
 * FastCDC content-defined chunking (Xia et al., USENIX ATC 2016): a gear hash rolls over the bytes
 * and a chunk ends where the hash's masked bits are all zero. Cut points depend only on nearby
 * content, so an insertion early in a file moves the boundaries around it and no others, and the
 * chunks after it deduplicate against the previous snapshot.
 *
 * The gear table is derived from a secret per-repository seed, so chunk boundaries (and therefore
 * chunk sizes, which are visible in pack headers' lengths) cannot be used to fingerprint known files.
 */
import { createHash } from 'node:crypto';

/** Chunk size bounds, in bytes. */
export interface ChunkerParams {
  /** No chunk is shorter (except a file's last); bytes before it are never hashed. */
  readonly minSize: number;
  /** Where "normalized chunking" switches from the strict mask to the loose one. */
  readonly normalSize: number;
  /** No chunk is longer: a cut is forced here. */
  readonly maxSize: number;
}

/**
 * The bounds every new repository uses. With the masks below the mean chunk is about 1 MiB:
 * 512 KiB skipped, a small chance to cut before 768 KiB, then an expected 256 KiB more.
 */
export const DEFAULT_CHUNKER: ChunkerParams = Object.freeze({
  /** 512 KiB: as restic; small enough for dedup of edited large files, large enough to keep the index small. */
  minSize: 512 * 1024,
  /** 768 KiB: places the mean chunk near 1 MiB with the 22/18-bit masks. */
  normalSize: 768 * 1024,
  /** 8 MiB: as restic; bounds memory per chunk and the cost of re-uploading one edit. */
  maxSize: 8 * 1024 * 1024,
});

/**
 * Masks over the top bits of a 32-bit gear hash. Bit k of the hash depends on the last k+1 bytes,
 * so testing the high bits gives the widest window (32 bytes). Before the normal size the mask has
 * 22 bits (a cut is rare), after it 18 (a cut comes soon): FastCDC's normalization, level 2.
 */
const MASK_STRICT = 0xfffffc00 | 0;
const MASK_LOOSE = 0xffffc000 | 0;

/** Derives the 256-entry gear table from a repository's seed (SHA-256 in counter mode). */
export function gearTable(seed: Uint8Array): Int32Array {
  const table = new Int32Array(256);
  for (let block = 0; block < 32; block++) {
    const digest = createHash('sha256').update(seed).update(`gear:${block}`).digest();
    for (let i = 0; i < 8; i++) table[block * 8 + i] = digest.readInt32LE(i * 4);
  }
  return table;
}

/** Checks that bounds are usable; throws a RangeError naming the problem. */
export function checkChunkerParams(params: ChunkerParams): void {
  const { minSize, normalSize, maxSize } = params;
  if (!Number.isInteger(minSize) || minSize < 64) throw new RangeError(`chunker minSize ${minSize} must be an integer >= 64`);
  if (!Number.isInteger(normalSize) || normalSize < minSize) throw new RangeError(`chunker normalSize ${normalSize} must be >= minSize ${minSize}`);
  if (!Number.isInteger(maxSize) || maxSize < normalSize || maxSize > 64 * 1024 * 1024) {
    throw new RangeError(`chunker maxSize ${maxSize} must be between normalSize ${normalSize} and 64 MiB`);
  }
}

/** Finds chunk boundaries. Stateless between calls: each chunk's hash starts from zero. */
export class FastCdc {
  readonly params: ChunkerParams;
  readonly #gear: Int32Array;

  constructor(params: ChunkerParams, seed: Uint8Array) {
    checkChunkerParams(params);
    this.params = params;
    this.#gear = gearTable(seed);
  }

  /**
   * The end (exclusive) of the chunk starting at `start` in `data[start, end)`. The caller must
   * pass at least `maxSize` bytes unless `end` is the end of the input, or the cut would be forced
   * early at `end`.
   */
  cutPoint(data: Uint8Array, start: number, end: number): number {
    const { minSize, normalSize, maxSize } = this.params;
    let length = end - start;
    if (length <= minSize) return end;
    if (length > maxSize) length = maxSize;
    const normalEnd = start + (length < normalSize ? length : normalSize);
    const hardEnd = start + length;
    const gear = this.#gear;
    let hash = 0;
    let i = start + minSize;
    for (; i < normalEnd; i++) {
      hash = ((hash << 1) + gear[data[i]!]!) | 0;
      if ((hash & MASK_STRICT) === 0) return i + 1;
    }
    for (; i < hardEnd; i++) {
      hash = ((hash << 1) + gear[data[i]!]!) | 0;
      if ((hash & MASK_LOOSE) === 0) return i + 1;
    }
    return hardEnd;
  }
}
