/**
 * The backup target: a {@link Storage} (directory or S3) seen as whole objects, with every call
 * retried with exponential backoff and jitter. A target that keeps failing ends the operation with
 * HEARTH_ERR_BACKUP_TARGET_UNREACHABLE naming the call, the key and the last error. Errors that
 * retrying cannot fix (an absent object, a refused request: HTTP 4xx) are passed through at once.
 */
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { ObjectInfo, Storage } from '../../../core/services/storage/storage.js';
import { HearthError, describeError, isHearthError } from '../../../core/errors/HearthError.js';

/** How hard to retry. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Delay before the second attempt, in ms; doubles each time. */
  readonly baseDelayMs: number;
  /** Longest delay between attempts, in ms. */
  readonly maxDelayMs: number;
}

/** Largest object read into memory: a pack is ~16 MiB; index files of a huge repository stay well below this. */
const MAX_OBJECT_BYTES = 1024 * 1024 * 1024;

/** Storage failures that another attempt cannot fix (besides every 4xx but timeouts and throttling). */
const PERMANENT_CODES = new Set(['HEARTH_ERR_STORAGE_SYMLINK', 'HEARTH_ERR_STORAGE_BAD_CONFIG', 'HEARTH_ERR_STORAGE_FULL']);

function isPermanent(error: unknown): boolean {
  if (!isHearthError(error)) return false;
  if (PERMANENT_CODES.has(error.code)) return true;
  return error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 408 && error.statusCode !== 429;
}

async function readBody(body: AsyncIterable<Buffer | string>, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const part of body) {
    const piece = typeof part === 'string' ? Buffer.from(part) : part;
    total += piece.length;
    if (total > MAX_OBJECT_BYTES) throw new RangeError(`object '${key}' is larger than ${MAX_OBJECT_BYTES} bytes`);
    parts.push(piece);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** Whole-object access to a storage, retried. */
export class BackupTarget {
  readonly storage: Storage;
  readonly #retry: RetryPolicy;
  readonly #logger: Logger;
  /** Where the target is, for messages (`/srv/backups`, `s3://bucket/prefix/`). */
  readonly description: string;

  constructor(storage: Storage, retry: RetryPolicy, logger: Logger, description: string) {
    this.storage = storage;
    this.#retry = retry;
    this.#logger = logger;
    this.description = description;
  }

  async #attempt<T>(operation: string, key: string, run: () => Promise<T>): Promise<T> {
    const { attempts, baseDelayMs, maxDelayMs } = this.#retry;
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (isPermanent(error)) throw error;
        if (attempt >= attempts) {
          throw new HearthError(
            'HEARTH_ERR_BACKUP_TARGET_UNREACHABLE',
            `backup target ${this.description} failed ${attempts} times on ${operation} '${key}': ${describeError(error)}; check that it is reachable and writable, then run the backup again`,
            { cause: error },
          );
        }
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        const delay = ceiling / 2 + Math.random() * (ceiling / 2);
        this.#logger.warn({ operation, key, attempt, delayMs: Math.round(delay), err: describeError(error) }, 'backup target call failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Stores an object (atomically, as every engine does). Parts are written one after another; a
   * directory takes them as a stream (no joined copy), a bucket as one body (a single PUT).
   */
  async put(key: string, bytes: Buffer | readonly Buffer[]): Promise<void> {
    const body = () => (Buffer.isBuffer(bytes) ? bytes : this.storage.engine === 'fs' ? Readable.from(bytes) : Buffer.concat(bytes));
    await this.#attempt('put', key, () => this.storage.put(key, body()));
  }

  /** Reads an object, or the inclusive byte range `start..end` of it. */
  get(key: string, range?: { readonly start: number; readonly end: number }): Promise<Buffer> {
    return this.#attempt('get', key, async () => {
      const result = await this.storage.get(key, range ? { range } : undefined);
      return readBody(result.body, key);
    });
  }

  /** An object's info, or undefined when absent. */
  head(key: string): Promise<ObjectInfo | undefined> {
    return this.#attempt('head', key, () => this.storage.head(key));
  }

  /** Every object under `prefix`, listed in full (a failed page restarts the listing). */
  list(prefix: string): Promise<ObjectInfo[]> {
    return this.#attempt('list', prefix, async () => {
      const found: ObjectInfo[] = [];
      for await (const info of this.storage.list(prefix)) found.push(info);
      return found;
    });
  }

  /** Deletes objects; absent ones are not an error. */
  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#attempt('delete', keys[0]!, () => this.storage.delete(keys));
  }

  /** Releases the storage's connections. */
  close(): Promise<void> {
    return this.storage.close();
  }
}
