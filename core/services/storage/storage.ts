/**
 * The storage interface: one API over a local directory and an S3-compatible bucket. Keys are
 * `/`-separated relative paths (see `storageKey.ts` for the rules); every engine runs the same
 * conformance suite (test/core/storage.test.ts).
 */
import type { Readable } from 'node:stream';

/** What storage knows about one object. */
export interface ObjectInfo {
  /** The key, relative to the storage's prefix. */
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
  /** An opaque version tag that changes whenever the content changes (quoted, as in HTTP). */
  readonly etag: string;
  /** When the object was last written. */
  readonly lastModified: Date;
  /** MIME type given at `put`, if any. */
  readonly contentType?: string;
  /** Cache-Control given at `put`, if any. */
  readonly cacheControl?: string;
  /** Small string metadata given at `put` (lower-case keys). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Options for {@link Storage.put}. */
export interface PutOptions {
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A byte range, both ends inclusive, as in HTTP's `Range: bytes=start-end`. */
export interface ByteRange {
  readonly start: number;
  /** Inclusive; omitted means "to the end". */
  readonly end?: number;
}

/** An object's content and its info. */
export interface GetResult extends ObjectInfo {
  /** The content (or the requested range of it). Consume or destroy it. */
  readonly body: Readable;
  /** The range actually returned, when one was asked for. */
  readonly range?: { readonly start: number; readonly end: number };
}

/** One API over a directory or a bucket. */
export interface Storage {
  /** Which engine serves this storage. */
  readonly engine: 'fs' | 's3';
  /** Writes an object atomically: readers see the old content or the new, never a part. */
  put(key: string, body: Buffer | string | Readable, options?: PutOptions): Promise<ObjectInfo>;
  /** Reads an object, or a range of it. Throws HEARTH_ERR_STORAGE_NOT_FOUND when absent. */
  get(key: string, options?: { readonly range?: ByteRange }): Promise<GetResult>;
  /** An object's info, or undefined when absent. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, in key order, fetched page by page. */
  list(prefix?: string): AsyncIterable<ObjectInfo>;
  /** Deletes objects; absent keys are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Deletes every object under `prefix`; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /** A view of this storage with every key under `prefix` (which must end in `/`). */
  scoped(prefix: string): Storage;
  /** Releases connections and handles. */
  close(): Promise<void>;
}
