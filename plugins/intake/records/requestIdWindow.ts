/**
 * Recently seen request ids, to drop a line a CDN or a retrying sender delivers twice. Each id is
 * kept as a 53-bit fingerprint of (site, id) in an open-addressing table of numbers — no strings,
 * so a busy stream does not feed the garbage collector — in two generations: when the newer one
 * holds `capacity / 2` ids, the older is forgotten. An id is remembered for at least the last
 * `capacity / 2` ids; two different ids share a fingerprint about once in 10^11 lookups.
 * (Replays of the spool never come through here: the store skips rows it already holds by batch.)
 */

/** One generation: fingerprints in linear-probing slots (0 = empty), at most half full. */
class FingerprintTable {
  readonly #slots: Float64Array;
  readonly #mask: number;
  size = 0;

  constructor(entries: number) {
    let slots = 16;
    while (slots < entries * 2) slots *= 2;
    this.#slots = new Float64Array(slots);
    this.#mask = slots - 1;
  }

  has(fingerprint: number, start: number): boolean {
    for (let slot = start & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const value = this.#slots[slot]!;
      if (value === fingerprint) return true;
      if (value === 0) return false;
    }
  }

  add(fingerprint: number, start: number): void {
    let slot = start & this.#mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & this.#mask;
    this.#slots[slot] = fingerprint;
    this.size++;
  }

  clear(): void {
    this.#slots.fill(0);
    this.size = 0;
  }
}

/** A bounded memory of request ids, per site. */
export class RequestIdWindow {
  readonly #generationSize: number;
  #current: FingerprintTable;
  #previous: FingerprintTable;

  constructor(capacity: number) {
    this.#generationSize = Math.floor(capacity / 2);
    this.#current = new FingerprintTable(Math.max(1, this.#generationSize));
    this.#previous = new FingerprintTable(Math.max(1, this.#generationSize));
  }

  /** Records an id; returns false when it was seen recently (a duplicate). Empty ids are never duplicates. */
  remember(site: string, requestId: string): boolean {
    if (requestId.length === 0 || this.#generationSize < 1) return true;
    // Two 32-bit FNV-style hashes of site, a separator and id; 53 bits of them form the fingerprint.
    let first = 0x811c9dc5;
    let second = 0x5bd1e995;
    for (let index = 0; index < site.length; index++) {
      const char = site.charCodeAt(index);
      first = Math.imul(first ^ char, 16777619);
      second = Math.imul(second ^ char, 0x5bd1e995);
      second ^= second >>> 15;
    }
    first = Math.imul(first ^ 0xffff, 16777619);
    for (let index = 0; index < requestId.length; index++) {
      const char = requestId.charCodeAt(index);
      first = Math.imul(first ^ char, 16777619);
      second = Math.imul(second ^ char, 0x5bd1e995);
      second ^= second >>> 15;
    }
    const start = first >>> 0;
    const fingerprint = start * 0x200000 + ((second >>> 0) & 0x1fffff) + 1;
    if (this.#current.has(fingerprint, start) || this.#previous.has(fingerprint, start)) return false;
    if (this.#current.size >= this.#generationSize) {
      const emptied = this.#previous;
      emptied.clear();
      this.#previous = this.#current;
      this.#current = emptied;
    }
    this.#current.add(fingerprint, start);
    return true;
  }
}
