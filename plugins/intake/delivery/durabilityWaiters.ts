/**
 * Promises of durability for a group commit: each record appended gets a sequence number. A caller
 * notes the last number before it appends its records ({@link DurabilityWaiters.latest}) and then
 * waits for its range: resolved once writes covering the whole range are fsynced, rejected as soon
 * as any record of the range is lost to a failed write — even when the failed write held only its
 * first record and a later one held the rest.
 */

interface Waiter {
  /** The caller's records are numbers `after + 1 ..= target`. */
  readonly after: number;
  readonly target: number;
  resolve(): void;
  reject(error: Error): void;
}

/** Numbers `first ..= last`, lost to a failed write. */
interface LostRange {
  readonly first: number;
  last: number;
  readonly failure: Error;
}

/** Lost ranges kept for callers that start waiting after the loss (failures are rare; each is one range). */
const MAX_LOST_RANGES = 256;

/** Sequence numbers of appended and durable records, and who waits for what. */
export class DurabilityWaiters {
  #waiters: Waiter[] = [];
  readonly #lost: LostRange[] = [];
  #appended = 0;
  #durable = 0;

  /** Numbers one more appended record; returns its number. */
  appended(): number {
    return ++this.#appended;
  }

  /** The number of the last record appended. */
  get latest(): number {
    return this.#appended;
  }

  /**
   * Resolves when records `after + 1` up to the last appended are durable; rejects if any of them
   * was lost.
   */
  untilDurable(after: number): Promise<void> {
    const target = this.#appended;
    const lost = this.#lostWithin(after, target);
    if (lost) return Promise.reject(lost.failure);
    if (this.#durable >= target) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ after, target, resolve, reject }));
  }

  /** Records `first ..= last` will never be durable: their writes failed with `failure`. */
  lost(first: number, last: number, failure: Error): void {
    if (last < first) return;
    const previous = this.#lost.at(-1);
    if (previous && previous.last + 1 >= first) previous.last = Math.max(previous.last, last);
    else this.#lost.push({ first, last, failure });
    if (this.#lost.length > MAX_LOST_RANGES) this.#lost.shift();
  }

  /** Writes covering records up to `target` finished (successfully, or counted by {@link lost}): settles their waiters. */
  settle(target: number): void {
    this.#durable = Math.max(this.#durable, target);
    const remaining: Waiter[] = [];
    for (const waiter of this.#waiters) {
      const lost = this.#lostWithin(waiter.after, waiter.target);
      if (lost) waiter.reject(lost.failure);
      else if (waiter.target > this.#durable) remaining.push(waiter);
      else waiter.resolve();
    }
    this.#waiters = remaining;
  }

  #lostWithin(after: number, target: number): LostRange | undefined {
    // Newest first: a waiter's range is recent.
    for (let index = this.#lost.length - 1; index >= 0; index--) {
      const range = this.#lost[index]!;
      if (range.last <= after) return undefined;
      if (range.first <= target) return range;
    }
    return undefined;
  }
}
