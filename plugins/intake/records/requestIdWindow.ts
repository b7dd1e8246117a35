/**
 * Recently seen request ids, to drop a line a CDN or a retrying sender delivers twice. Each id is
 * kept as a 53-bit fingerprint of (site, id) in a table of numbers (see numberGenerations.ts) of
 * two generations of `capacity / 2` ids: an id is remembered for at least the last `capacity / 2`
 * ids; two different ids share a fingerprint about once in 10^11 lookups.
 * (Replays of the spool never come through here: the store skips rows it already holds by batch.)
 */

import { NumberGenerations } from './numberGenerations.js';

/** A bounded memory of request ids, per site. */
export class RequestIdWindow {
  readonly #generationSize: number;
  readonly #seen: NumberGenerations;

  constructor(capacity: number) {
    this.#generationSize = Math.floor(capacity / 2);
    this.#seen = new NumberGenerations(Math.max(1, this.#generationSize));
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
    const fingerprint = (first >>> 0) * 0x200000 + ((second >>> 0) & 0x1fffff);
    if (this.#seen.get(0, fingerprint) !== undefined) return false;
    this.#seen.set(0, fingerprint, 1);
    return true;
  }
}
