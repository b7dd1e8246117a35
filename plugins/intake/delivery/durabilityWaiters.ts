/**
 * Promises of durability for a group commit: each record appended gets a sequence number; a
 * caller waiting for "everything so far" is resolved once a write covering its number has been
 * fsynced, or rejected if that write failed.
 */

interface Waiter {
  readonly target: number;
  resolve(): void;
  reject(error: Error): void;
}

/** Sequence numbers of appended and durable records, and who waits for what. */
export class DurabilityWaiters {
  #waiters: Waiter[] = [];
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

  /** Resolves when every record appended so far is durable. */
  untilDurable(): Promise<void> {
    if (this.#durable >= this.#appended) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ target: this.#appended, resolve, reject }));
  }

  /** A write covering records up to `target` finished: resolves (or, on `failure`, rejects) their waiters. */
  settle(target: number, failure: Error | undefined): void {
    this.#durable = Math.max(this.#durable, target);
    const remaining: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.target > target) remaining.push(waiter);
      else if (failure) waiter.reject(failure);
      else waiter.resolve();
    }
    this.#waiters = remaining;
  }
}
