/**
 * Recently seen request ids, to drop a line a CDN or a retrying sender delivers twice. Each id is
 * kept as its site's tag and a 53-bit fingerprint of the id, in a table of numbers of two
 * generations of `capacity / 2` ids (numberGenerations.ts): an id is remembered for at least the
 * last `capacity / 2` ids; two different ids of a site share a fingerprint about once in 10^11.
 * (Replays of the spool never come through here: the store skips rows it already holds by batch.)
 */
import { readBatchRequestId } from '../../../core/services/analytics/accessBatch.js';
import { MAX_SITE_TAGS, NumberGenerations, SiteTags } from './numberGenerations.js';

const FIRST_SEED = 0x811c9dc5;
const SECOND_SEED = 0x5bd1e995;
/** Table values: an id seen, and one forgotten again (open addressing keeps the slot). */
const SEEN = 1;
const FORGOTTEN = 0;

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
    return this.#remember(site, fingerprintOf(requestId));
  }

  /** {@link remember} for an ASCII id given as bytes `start..end` of `data` (the same fingerprint). */
  rememberBytes(site: string, data: Uint8Array, start: number, end: number): boolean {
    if (end <= start || this.#generationSize < 1) return true;
    return this.#remember(site, fingerprintOfBytes(data, start, end));
  }

  /**
   * Forgets an id remembered for a record that was then lost (the spool could not write it): the
   * sender's retry of it is no duplicate.
   */
  forget(site: string, requestId: string): void {
    if (requestId.length === 0 || this.#generationSize < 1) return;
    const siteIndex = this.#siteIndex(site);
    const fingerprint = fingerprintOf(requestId);
    if (this.#seen.get(siteIndex, fingerprint) === SEEN) this.#seen.set(siteIndex, fingerprint, FORGOTTEN);
  }

  /** {@link forget}s the ids of batch-file rows (whole lines, as the spool holds them) that were lost. */
  forgetRows(rows: readonly Buffer[]): void {
    for (const buffer of rows) {
      for (const line of buffer.toString('utf8').split('\n')) {
        const row = line.length > 0 ? readBatchRequestId(line) : undefined;
        if (row) this.forget(row.site, row.requestId);
      }
    }
  }

  #remember(site: string, fingerprint: number): boolean {
    const siteIndex = this.#siteIndex(site);
    if (this.#seen.get(siteIndex, fingerprint) === SEEN) return false;
    this.#seen.set(siteIndex, fingerprint, SEEN);
    return true;
  }

  #siteIndex(site: string): number {
    // More sites than tags (a host file of tens of thousands): the rest share one more tag.
    return this.#siteTags.tagOf(site) ?? MAX_SITE_TAGS;
  }
}

// The site is the table's tag, so only the id is hashed: two 32-bit FNV-style hashes, 53 bits of them kept.
function fingerprintOf(requestId: string): number {
  let first = FIRST_SEED;
  let second = SECOND_SEED;
  for (let index = 0; index < requestId.length; index++) {
    const char = requestId.charCodeAt(index);
    first = Math.imul(first ^ char, 16777619);
    second = Math.imul(second ^ char, 0x5bd1e995);
    second ^= second >>> 15;
  }
  return fingerprintFrom(first, second);
}

/** {@link fingerprintOf} of an ASCII id given as bytes. */
function fingerprintOfBytes(data: Uint8Array, start: number, end: number): number {
  let first = FIRST_SEED;
  let second = SECOND_SEED;
  for (let index = start; index < end; index++) {
    const char = data[index]!;
    first = Math.imul(first ^ char, 16777619);
    second = Math.imul(second ^ char, 0x5bd1e995);
    second ^= second >>> 15;
  }
  return fingerprintFrom(first, second);
}

function fingerprintFrom(first: number, second: number): number {
  return (first >>> 0) * 0x200000 + ((second >>> 0) & 0x1fffff);
}
