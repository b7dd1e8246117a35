/**
 * Encoded rows waiting for the disk, as UTF-8 bytes in reused blocks rather than as strings: a
 * row's string dies as soon as it is copied in, so the garbage collector never has to move
 * millions of queued strings, and a write is a list of slices handed to `writev` as they are.
 */

/** Bytes per block: large enough for a few hundred rows, small enough to waste little. */
const BLOCK_BYTES = 256 * 1024;
/** Written blocks kept for reuse (16 MiB): fresh external memory makes V8 run full collections. */
const POOL_BLOCKS = 64;
const pool: ArrayBuffer[] = [];

function allocateBlock(size: number): Buffer {
  const reused = size <= BLOCK_BYTES ? pool.pop() : undefined;
  return reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, size));
}

/** Gives blocks whose bytes are all written back for reuse. */
export function recycleBlocks(blocks: readonly ArrayBuffer[]): void {
  for (const block of blocks) {
    if (pool.length >= POOL_BLOCKS) return;
    if (block.byteLength === BLOCK_BYTES) pool.push(block);
  }
}

/** A chunk of rows taken for writing. */
export interface TakenBytes {
  readonly buffers: Buffer[];
  readonly bytes: number;
  readonly rows: number;
  /** Blocks this take finished with: once `buffers` are written, they may be recycled. */
  readonly finished: ArrayBuffer[];
}

/** An append-only byte queue. */
export class ByteBlocks {
  #taken: Buffer[] = [];
  #finished: ArrayBuffer[] = [];
  #block: Buffer | undefined;
  /** Where the untaken part of the current block starts. */
  #start = 0;
  #used = 0;
  #bytes = 0;
  #rows = 0;

  /** Bytes queued. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Rows queued. */
  get rows(): number {
    return this.#rows;
  }

  /** Queues one row (a line of text). */
  add(line: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const block = this.room(line.length * 3);
    this.wrote(this.#used + block.write(line, this.#used, 'utf8'));
  }

  /**
   * The block to write one row of at most `maxBytes` into, from {@link writeAt}; then call
   * {@link wrote}. Rows encoded straight into the block need no string in between.
   */
  room(maxBytes: number): Buffer {
    if (!this.#block || this.#block.length - this.#used < maxBytes) {
      this.#retireBlock();
      if (this.#block) this.#finished.push(this.#block.buffer as ArrayBuffer);
      this.#block = allocateBlock(maxBytes);
      this.#start = 0;
      this.#used = 0;
    }
    return this.#block;
  }

  /** Where the next row starts in the block {@link room} returned. */
  get writeAt(): number {
    return this.#used;
  }

  /** One row was written into the block, up to `end`. */
  wrote(end: number): void {
    // A typed array ignores writes past its end: a row that overran its room would be cut silently.
    if (end > this.#block!.length) throw new RangeError(`a row of ${end - this.#used} bytes overran its block`);
    this.#bytes += end - this.#used;
    this.#used = end;
    this.#rows++;
  }

  /** Takes everything queued; later rows go after it in the same block (the slices stay valid). */
  take(): TakenBytes {
    this.#retireBlock();
    const taken = { buffers: this.#taken, bytes: this.#bytes, rows: this.#rows, finished: this.#finished };
    this.#taken = [];
    this.#finished = [];
    this.#bytes = 0;
    this.#rows = 0;
    return taken;
  }

  #retireBlock(): void {
    if (this.#block && this.#used > this.#start) {
      this.#taken.push(this.#block.subarray(this.#start, this.#used));
      this.#start = this.#used;
    }
  }
}
