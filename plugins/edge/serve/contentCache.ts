/**
 * File contents held in memory, keyed by site and blob id (and encoding), so the hot path serves a
 * small file without touching storage. A blob id names its content, so an entry never goes stale;
 * it only leaves when the least recently used entries make room (the total is bounded in bytes).
 * Concurrent misses on one key share one load.
 */

/** A bounded, least-recently-used map of buffers. */
export class ContentCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, Buffer>();
  readonly #loading = new Map<string, Promise<Buffer>>();
  #bytes = 0;
  /** The most recently used key: hitting it again needs no move (a busy page is hit over and over). */
  #newest: string | undefined;

  /** `maxBytes` is the most the cached buffers may hold together. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached content, marking it recently used; undefined on a miss. */
  get(key: string): Buffer | undefined {
    const content = this.#entries.get(key);
    if (content !== undefined && key !== this.#newest) {
      // Re-inserting moves the key to the end of the Map's order: the most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, content);
      this.#newest = key;
    }
    return content;
  }

  /** Stores content, evicting the least recently used entries to make room; too-large content is not kept. */
  set(key: string, content: Buffer): void {
    if (content.length > this.#maxBytes) return;
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= previous.length;
    }
    while (this.#bytes + content.length > this.#maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#bytes -= this.#entries.get(oldest.value)!.length;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, content);
    this.#newest = key;
    this.#bytes += content.length;
  }

  /**
   * The content under `key`, loading it with `load` on a miss (one load per key at a time) and
   * keeping it when `keep(content)` says so. `hit` tells whether it came from memory.
   */
  async getOrLoad(key: string, load: () => Promise<Buffer>, keep: (content: Buffer) => boolean = () => true): Promise<{ content: Buffer; hit: boolean }> {
    const cached = this.get(key);
    if (cached !== undefined) return { content: cached, hit: true };
    let loading = this.#loading.get(key);
    if (loading === undefined) {
      loading = load().then(
        (content) => {
          this.#loading.delete(key);
          if (keep(content)) this.set(key, content);
          return content;
        },
        (error: unknown) => {
          this.#loading.delete(key);
          throw error;
        },
      );
      this.#loading.set(key, loading);
    }
    return { content: await loading, hit: false };
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
    this.#newest = undefined;
    this.#bytes = 0;
  }
}
