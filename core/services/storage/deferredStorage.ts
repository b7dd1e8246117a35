/**
 * A storage whose engine is built on first use. The S3 engine pulls in the AWS SDK (about 190 ms
 * and 15 MB at start-up here); a host whose storage is never touched, or is a directory, should not
 * pay for it. The first call loads the engine; every later call goes straight to it.
 */
import type { Readable } from 'node:stream';
import { ScopedStorage } from './scopedStorage.js';
import type { ByteRange, GetResult, ObjectInfo, PutOptions, Storage } from './storage.js';

/** A {@link Storage} that builds its engine with `load` when first called. */
export class DeferredStorage implements Storage {
  readonly engine: 'fs' | 's3';
  readonly #load: () => Promise<Storage>;
  #engine: Promise<Storage> | undefined;

  constructor(engine: 'fs' | 's3', load: () => Promise<Storage>) {
    this.engine = engine;
    this.#load = load;
  }

  #ready(): Promise<Storage> {
    this.#engine ??= this.#load();
    return this.#engine;
  }

  async put(key: string, body: Buffer | string | Readable, options?: PutOptions): Promise<ObjectInfo> {
    return (await this.#ready()).put(key, body, options);
  }

  async get(key: string, options?: { readonly range?: ByteRange }): Promise<GetResult> {
    return (await this.#ready()).get(key, options);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    return (await this.#ready()).head(key);
  }

  async *list(prefix?: string): AsyncIterable<ObjectInfo> {
    yield* (await this.#ready()).list(prefix);
  }

  async delete(keys: readonly string[]): Promise<void> {
    return (await this.#ready()).delete(keys);
  }

  async deletePrefix(prefix: string): Promise<number> {
    return (await this.#ready()).deletePrefix(prefix);
  }

  scoped(prefix: string): Storage {
    return new ScopedStorage(this, prefix);
  }

  async close(): Promise<void> {
    // Nothing was opened if nothing was used.
    if (this.#engine) await (await this.#engine).close();
  }
}
