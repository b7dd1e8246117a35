/**
 * A growable bit stream for the chunk encoder: write up to 32 bits at a time, most significant
 * bit first, and read them back in the same order.
 */

/** Appends bits to a byte buffer that grows as needed. */
export class BitWriter {
  #bytes = new Uint8Array(32);
  #bit = 0;

  /** Number of bits written. */
  get length(): number {
    return this.#bit;
  }

  /** Writes the low `count` bits of `value` (0 <= count <= 32), most significant first. */
  write(value: number, count: number): void {
    this.#reserve(count);
    for (let i = count - 1; i >= 0; i--) {
      if ((value >>> i) & 1) this.#bytes[this.#bit >>> 3]! |= 0x80 >>> (this.#bit & 7);
      this.#bit++;
    }
  }

  /** Writes one bit. */
  writeBit(on: boolean): void {
    this.#reserve(1);
    if (on) this.#bytes[this.#bit >>> 3]! |= 0x80 >>> (this.#bit & 7);
    this.#bit++;
  }

  /** The written bytes, trimmed to size (a copy). */
  finish(): Uint8Array {
    return this.#bytes.slice(0, (this.#bit + 7) >>> 3);
  }

  #reserve(count: number): void {
    const needed = (this.#bit + count + 7) >>> 3;
    if (needed <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2));
    grown.set(this.#bytes);
    this.#bytes = grown;
  }
}

/** Reads bits written by {@link BitWriter}. */
export class BitReader {
  readonly #bytes: Uint8Array;
  #bit = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Reads `count` bits (0 <= count <= 32) as an unsigned number. */
  read(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const bit = (this.#bytes[this.#bit >>> 3]! >>> (7 - (this.#bit & 7))) & 1;
      value = value * 2 + bit;
      this.#bit++;
    }
    return value;
  }

  /** Reads one bit. */
  readBit(): boolean {
    const bit = (this.#bytes[this.#bit >>> 3]! >>> (7 - (this.#bit & 7))) & 1;
    this.#bit++;
    return bit === 1;
  }
}
