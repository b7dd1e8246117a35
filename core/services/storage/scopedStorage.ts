/**
 * A view of a storage with every key under one folder. `scoped()` on either engine returns one;
 * createStorage also uses it to put a whole S3 storage under the host file's prefix. Keys seen
 * through the view are relative to its folder, so a plugin cannot name (or list) keys outside it.
 */
import { assertKey, assertKeyPrefix, assertScopePrefix } from './storageKey.js';
import type { ByteRange, GetResult, ObjectInfo, PutOptions, Storage } from './storage.js';
import type { Readable } from 'node:stream';

/** Options for {@link ScopedStorage}. */
export interface ScopedStorageOptions {
  /**
   * Whether `close()` closes the underlying storage. Views handed to plugins do not: closing one
   * must not cut off every other view. createStorage's top-level view does.
   */
  readonly closesBase?: boolean;
}

/** A {@link Storage} that prefixes every key with a folder of another one. */
export class ScopedStorage implements Storage {
  readonly engine: 'fs' | 's3';
  readonly #base: Storage;
  readonly #prefix: string;
  readonly #closesBase: boolean;

  /** `prefix` must be a folder: valid key segments ending in `/`. */
  constructor(base: Storage, prefix: string, options: ScopedStorageOptions = {}) {
    this.#base = base;
    this.#prefix = assertScopePrefix(prefix);
    this.#closesBase = options.closesBase ?? false;
    this.engine = base.engine;
  }

  /** The folder of the underlying storage this view is confined to. */
  get prefix(): string {
    return this.#prefix;
  }

  async put(key: string, body: Buffer | string | Readable, options?: PutOptions): Promise<ObjectInfo> {
    return this.#unscope(await this.#base.put(this.#scope(key), body, options));
  }

  async get(key: string, options?: { readonly range?: ByteRange }): Promise<GetResult> {
    return this.#unscope(await this.#base.get(this.#scope(key), options));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await this.#base.head(this.#scope(key));
    return info === undefined ? undefined : this.#unscope(info);
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    const full = this.#prefix + assertKeyPrefix(prefix);
    for await (const info of this.#base.list(full)) yield this.#unscope(info);
  }

  async delete(keys: readonly string[]): Promise<void> {
    await this.#base.delete(keys.map((key) => this.#scope(key)));
  }

  async deletePrefix(prefix: string): Promise<number> {
    return this.#base.deletePrefix(this.#prefix + assertKeyPrefix(prefix));
  }

  scoped(prefix: string): Storage {
    return new ScopedStorage(this.#base, this.#prefix + assertScopePrefix(prefix));
  }

  async close(): Promise<void> {
    if (this.#closesBase) await this.#base.close();
  }

  // Checking the relative key first gives the caller a message about the key they passed.
  #scope(key: string): string {
    return this.#prefix + assertKey(key);
  }

  #unscope<T extends ObjectInfo>(info: T): T {
    return { ...info, key: info.key.slice(this.#prefix.length) };
  }
}
