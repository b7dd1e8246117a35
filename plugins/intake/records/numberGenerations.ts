/**
 * A bounded memory from exact integer keys to numbers, for the caches every intake line consults
 * (visitor ids, recent request ids). Keys and values live in typed arrays with linear probing —
 * no strings and no heap numbers, so millions of lookups feed the garbage collector nothing — and
 * in two generations: once the newer holds `generationEntries` keys, the older is forgotten and
 * the newer takes its place. A key is therefore remembered for at least the next
 * `generationEntries` distinct keys, so a stream that cycles through fewer keys than that never
 * misses twice; least-recently-used lists cost more per line than they save.
 *
 * A key is a pair: a small `tag` (0..65534, e.g. a site's index) and an integer `key` in
 * 0..2^53-1. Tables start small and double while half full, up to twice `generationEntries`.
 */

/** Slots a generation starts with: a quiet host holds kilobytes, not the worst case. */
const INITIAL_SLOTS = 1_024;
const EMPTY = 0;

/** Numbers a slot holds: tag, key, value, side by side so a probe touches one cache line. */
const STRIDE = 3;

/** One generation: open addressing, at most half full. */
class Generation {
  /** Slot `i` is `[i * STRIDE]` tag (0: empty), `+ 1` key, `+ 2` value. */
  readonly #slots: Float64Array;
  readonly #mask: number;
  size = 0;

  constructor(slots: number) {
    this.#slots = new Float64Array(slots * STRIDE);
    this.#mask = slots - 1;
  }

  get slots(): number {
    return this.#mask + 1;
  }

  /** The slot holding (tag, key), or the empty slot where it would go (as `-slot - 1`). */
  #find(stored: number, key: number, start: number): number {
    const slots = this.#slots;
    for (let slot = start & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const at = slot * STRIDE;
      const tag = slots[at]!;
      if (tag === EMPTY) return -slot - 1;
      if (tag === stored && slots[at + 1] === key) return slot;
    }
  }

  get(stored: number, key: number, start: number): number | undefined {
    const slot = this.#find(stored, key, start);
    return slot >= 0 ? this.#slots[slot * STRIDE + 2] : undefined;
  }

  /** Stores (tag, key) -> value; the caller keeps the table at most half full. */
  set(stored: number, key: number, start: number, value: number): void {
    let slot = this.#find(stored, key, start);
    const slots = this.#slots;
    if (slot < 0) {
      slot = -slot - 1;
      slots[slot * STRIDE] = stored;
      slots[slot * STRIDE + 1] = key;
      this.size++;
    }
    slots[slot * STRIDE + 2] = value;
  }

  /** A table of `slots` slots holding the same entries. */
  grown(slots: number): Generation {
    const next = new Generation(slots);
    const old = this.#slots;
    for (let at = 0; at < old.length; at += STRIDE) {
      const stored = old[at]!;
      if (stored !== EMPTY) next.set(stored, old[at + 1]!, startOf(stored, old[at + 1]!), old[at + 2]!);
    }
    return next;
  }
}

/** Where probing starts for (stored tag, key): a mix of the key's two 32-bit halves and the tag. */
function startOf(stored: number, key: number): number {
  let h = Math.imul((key >>> 0) ^ Math.imul(Math.floor(key / 0x100000000), 0x9e3779b1) ^ Math.imul(stored, 0x85ebca6b), 0xcc9e2d51);
  h ^= h >>> 15;
  h = Math.imul(h, 0x1b873593);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Sites given a tag of their own; the tags of a {@link NumberGenerations} key are 16-bit. */
export const MAX_SITE_TAGS = 65_000;

/** Small numbers for site names, to use as {@link NumberGenerations} tags. */
export class SiteTags {
  readonly #tags = new Map<string, number>();

  /** The site's tag, or undefined once {@link MAX_SITE_TAGS} sites have one. */
  tagOf(site: string): number | undefined {
    let tag = this.#tags.get(site);
    if (tag === undefined && this.#tags.size < MAX_SITE_TAGS) this.#tags.set(site, (tag = this.#tags.size));
    return tag;
  }
}

/** Integer keys (with a tag) to numbers, remembered for the last one to two generations. */
export class NumberGenerations {
  readonly #generationEntries: number;
  readonly #maxSlots: number;
  #current: Generation;
  #previous: Generation | undefined;

  /** `generationEntries` >= 1: distinct keys a generation holds before the older one is dropped. */
  constructor(generationEntries: number) {
    this.#generationEntries = generationEntries;
    let max = INITIAL_SLOTS;
    while (max < generationEntries * 2) max *= 2;
    this.#maxSlots = max;
    this.#current = new Generation(Math.min(INITIAL_SLOTS, max));
  }

  /** The value remembered for (tag, key), or undefined. */
  get(tag: number, key: number): number | undefined {
    const stored = tag + 1;
    const start = startOf(stored, key);
    return this.#current.get(stored, key, start) ?? this.#previous?.get(stored, key, start);
  }

  /** Remembers (tag, key) -> value. */
  set(tag: number, key: number, value: number): void {
    const stored = tag + 1;
    if (this.#current.size >= this.#generationEntries) {
      this.#previous = this.#current;
      this.#current = new Generation(Math.min(INITIAL_SLOTS, this.#maxSlots));
    } else if (this.#current.size * 2 >= this.#current.slots && this.#current.slots < this.#maxSlots) {
      this.#current = this.#current.grown(this.#current.slots * 2);
    }
    this.#current.set(stored, key, startOf(stored, key), value);
  }

  /** Forgets everything. */
  clear(): void {
    this.#previous = undefined;
    this.#current = new Generation(Math.min(INITIAL_SLOTS, this.#maxSlots));
  }
}
