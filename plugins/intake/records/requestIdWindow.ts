/**
 * Recently seen request ids, to drop a line a CDN or a retrying sender delivers twice. Each id is
 * kept as its site's tag and a 53-bit fingerprint of the id, in a table of numbers of two
 * generations of `capacity / 2` ids (numberGenerations.ts): an id is remembered for at least the
 * last `capacity / 2` ids; two different ids of a site share a fingerprint about once in 10^11.
 * (Replays of the spool never come through here: the store skips rows it already holds by batch.)
 */
import { MAX_SITE_TAGS, NumberGenerations, SiteTags } from './numberGenerations.js';

const FIRST_SEED = 0x811c9dc5;
const SECOND_SEED = 0x5bd1e995;

/** A bounded memory of request ids, per site. */
export class RequestIdWindow {
  readonly #generationSize: number;
  readonly #seen: NumberGenerations;
  readonly #siteTags = new SiteTags();

  constructor(capacity: number) {
    this.#generationSize = Math.floor(capacity / 2);
    this.#seen = new NumberGenerations(Math.max(1, this.#generationSize));
  }

  /** Records an id; returns false when it was seen recently (a duplicate). Empty ids are never duplicates. */
  remember(site: string, requestId: string): boolean {
    if (requestId.length === 0 || this.#generationSize < 1) return true;
    // The site is the table's tag, so only the id is hashed: two 32-bit FNV-style hashes, 53 bits of them kept.
    let first = FIRST_SEED;
    let second = SECOND_SEED;
    for (let index = 0; index < requestId.length; index++) {
      const char = requestId.charCodeAt(index);
      first = Math.imul(first ^ char, 16777619);
      second = Math.imul(second ^ char, 0x5bd1e995);
      second ^= second >>> 15;
    }
    return this.#rememberHashes(site, first, second);
  }

  /** {@link remember} for an ASCII id given as bytes `start..end` of `data` (the same fingerprint). */
  rememberBytes(site: string, data: Uint8Array, start: number, end: number): boolean {
    if (end <= start || this.#generationSize < 1) return true;
    let first = FIRST_SEED;
    let second = SECOND_SEED;
    for (let index = start; index < end; index++) {
      const char = data[index]!;
      first = Math.imul(first ^ char, 16777619);
      second = Math.imul(second ^ char, 0x5bd1e995);
      second ^= second >>> 15;
    }
    return this.#rememberHashes(site, first, second);
  }

  #rememberHashes(site: string, first: number, second: number): boolean {
    // More sites than tags (a host file of tens of thousands): the rest share one more tag.
    const siteIndex = this.#siteTags.tagOf(site) ?? MAX_SITE_TAGS;
    const fingerprint = (first >>> 0) * 0x200000 + ((second >>> 0) & 0x1fffff);
    if (this.#seen.get(siteIndex, fingerprint) !== undefined) return false;
    this.#seen.set(siteIndex, fingerprint, 1);
    return true;
  }
}
