/**
 * One queue per key: tasks for the same key run one after another, tasks for different keys run
 * freely. The fs engine holds it only for the short steps that must see an object's content and
 * sidecar together (the two renames of a put; open + read sidecar in a get), never while bytes stream.
 */

/** Serialises async tasks per string key, in the order they were queued. */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task for `key` has settled; returns its result. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // Forget the key once nobody queued behind us, so the map does not grow with every key ever used.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** How many keys have a task running or queued (for tests and leak checks). */
  get size(): number {
    return this.#tails.size;
  }
}
