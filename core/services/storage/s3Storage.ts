/**
 * The S3 engine (AWS S3 or any compatible server: MinIO, Ceph, R2, s3rver). Puts stream through
 * lib-storage's Upload, which sends one PutObject for a small body and a multipart upload for a big
 * one (S3 makes the object visible only when the upload completes, so a reader never sees a part);
 * a failed upload is aborted. Listing and deleting go page by page, 1000 keys at a time, so memory
 * stays flat however many keys there are. Retries are the SDK's (standard mode, with backoff).
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type GetObjectCommandOutput,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { HearthError } from '../../errors/HearthError.js';
import { assertByteRange, parseContentRange, rangeHeader } from './byteRange.js';
import { checkPutOptions } from './putOptions.js';
import { isS3NotFound, s3Failure } from './s3Failure.js';
import { ScopedStorage } from './scopedStorage.js';
import { assertKey, assertKeyPrefix, quoteKey } from './storageKey.js';
import type { ByteRange, GetResult, ObjectInfo, PutOptions, Storage } from './storage.js';

/** The engine's fixed settings, each with its unit and reason. */
const S3_DEFAULTS = {
  /** Attempts per request, the first included; the SDK backs off between them (standard mode). */
  maxAttempts: 3,
  /** Milliseconds to open a connection: a reachable endpoint answers in far less. */
  connectionTimeoutMs: 5_000,
  /** Milliseconds a socket may stay silent mid-request before it is given up (then retried). */
  requestTimeoutMs: 60_000,
  /** Bytes per multipart part: S3's minimum is 5 MiB; 8 MiB keeps part counts low for site files. */
  partSize: 8 * 1024 * 1024,
  /** Parts uploaded at once per put; memory per put is at most partSize * queueSize (16 MiB). */
  queueSize: 2,
  /** Keys per ListObjectsV2 page and per DeleteObjects call: S3's maximum for both. */
  batchSize: 1000,
} as const;

/** Options for {@link S3Storage}; the secrets are plain strings here, revealed by createStorage. */
export interface S3StorageOptions {
  readonly bucket: string;
  readonly region: string;
  /** For a non-AWS server, e.g. `http://127.0.0.1:9000`. */
  readonly endpoint?: string;
  /** Both or neither: without them the SDK's default chain (environment, instance role) is used. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** `bucket` in the path instead of the host name: needed by MinIO and s3rver. */
  readonly forcePathStyle: boolean;
  /** Overrides {@link S3_DEFAULTS.maxAttempts} (tests of unreachable endpoints use 1). */
  readonly maxAttempts?: number;
}

/** {@link Storage} in an S3 bucket. Construction opens no connection. */
export class S3Storage implements Storage {
  readonly engine = 's3' as const;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #logger: Logger;

  constructor(options: S3StorageOptions, logger: Logger) {
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      throw new HearthError(
        'HEARTH_ERR_STORAGE_BAD_CONFIG',
        `storage.s3 for bucket '${options.bucket}' sets only one of accessKeyId and secretAccessKey: set both, or neither to use the environment's credentials`,
      );
    }
    this.#bucket = options.bucket;
    this.#logger = logger;
    this.#client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      maxAttempts: options.maxAttempts ?? S3_DEFAULTS.maxAttempts,
      retryMode: 'standard',
      requestHandler: { connectionTimeout: S3_DEFAULTS.connectionTimeoutMs, requestTimeout: S3_DEFAULTS.requestTimeoutMs },
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.accessKeyId === undefined || options.secretAccessKey === undefined
        ? {}
        : { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }),
    });
  }

  async put(key: string, body: Buffer | string | Readable, options?: PutOptions): Promise<ObjectInfo> {
    assertKey(key);
    const checked = checkPutOptions(key, options);
    let size = 0;
    const counted = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.isBuffer(body) ? body : Readable.from(countBytes(body, (n) => (size += n)));
    if (Buffer.isBuffer(counted)) size = counted.length;
    const upload = new Upload({
      client: this.#client,
      partSize: S3_DEFAULTS.partSize,
      queueSize: S3_DEFAULTS.queueSize,
      leavePartsOnError: false,
      params: {
        Bucket: this.#bucket,
        Key: key,
        Body: counted,
        ContentType: checked.contentType,
        CacheControl: checked.cacheControl,
        Metadata: checked.metadata === undefined ? undefined : { ...checked.metadata },
      },
    });
    try {
      const result = await upload.done();
      // S3 does not return the write time; this host's clock at completion is within a second of it.
      return { key, size, etag: result.ETag ?? '""', lastModified: new Date(), ...checked };
    } catch (error) {
      // The caller's stream broke, not the bucket: hand back its own error (the abort's error says less).
      if (body instanceof Readable && body.errored !== null) throw body.errored;
      throw s3Failure(error, 'put', this.#bucket, key);
    }
  }

  async get(key: string, options: { readonly range?: ByteRange } = {}): Promise<GetResult> {
    assertKey(key);
    const asked = options.range === undefined ? undefined : assertByteRange(key, options.range);
    let output: GetObjectCommandOutput;
    try {
      output = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key, Range: asked && rangeHeader(asked) }));
    } catch (error) {
      throw s3Failure(error, 'get', this.#bucket, key);
    }
    const body = output.Body as Readable;
    if (asked === undefined) return { ...describe(key, output, output.ContentLength ?? 0), body };
    const range = parseContentRange(output.ContentRange);
    const expectedEnd = range === undefined ? undefined : Math.min(asked.end ?? range.size - 1, range.size - 1);
    if (range === undefined || range.start !== asked.start || range.end !== expectedEnd) {
      body.destroy();
      const answered = JSON.stringify(output.ContentRange ?? null);
      throw new HearthError(
        'HEARTH_ERR_STORAGE_FAILED',
        `get ${quoteKey(key)} in bucket '${this.#bucket}' asked for ${rangeHeader(asked)} but the server answered Content-Range ${answered}: the server does not honour ranges correctly`,
      );
    }
    return { ...describe(key, output, range.size), range: { start: range.start, end: range.end }, body };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertKey(key);
    try {
      const output = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return describe(key, output, output.ContentLength ?? 0);
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw s3Failure(error, 'head', this.#bucket, key);
    }
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    assertKeyPrefix(prefix);
    for await (const page of this.#pages(prefix)) yield* page;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) assertKey(key);
    const unique = [...new Set(keys)];
    for (let start = 0; start < unique.length; start += S3_DEFAULTS.batchSize) {
      await this.#deleteBatch(unique.slice(start, start + S3_DEFAULTS.batchSize));
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertKeyPrefix(prefix);
    let deleted = 0;
    // Deleting a page before fetching the next is safe: the continuation token points past it.
    for await (const page of this.#pages(prefix)) {
      await this.#deleteBatch(page.map((info) => info.key));
      deleted += page.length;
    }
    return deleted;
  }

  scoped(prefix: string): Storage {
    return new ScopedStorage(this, prefix);
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async *#pages(prefix: string): AsyncGenerator<ObjectInfo[]> {
    let token: string | undefined;
    do {
      const page = await this.#client
        .send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: S3_DEFAULTS.batchSize }))
        .catch((error: unknown) => Promise.reject(s3Failure(error, 'list', this.#bucket, prefix)));
      yield (page.Contents ?? []).flatMap((item) =>
        item.Key === undefined ? [] : [{ key: item.Key, size: item.Size ?? 0, etag: item.ETag ?? '""', lastModified: item.LastModified ?? new Date(0) }],
      );
      if (page.IsTruncated === true && page.NextContinuationToken === undefined) {
        throw new HearthError(
          'HEARTH_ERR_STORAGE_FAILED',
          `list ${quoteKey(prefix)} in bucket '${this.#bucket}': the server said there is more but gave no continuation token`,
        );
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async #deleteBatch(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    let errors: { Key?: string; Code?: string; Message?: string }[];
    try {
      const output = await this.#client.send(
        new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      );
      errors = output.Errors ?? [];
    } catch (error) {
      throw s3Failure(error, 'delete', this.#bucket, keys[0] ?? '');
    }
    const first = errors[0];
    if (first !== undefined) {
      this.#logger.error({ bucket: this.#bucket, failed: errors.length }, 'storage: some deletes failed');
      const failure = s3Failure({ name: first.Code, message: first.Message, $metadata: {} }, 'delete', this.#bucket, first.Key ?? '');
      throw new HearthError(failure.code, `${errors.length} of ${keys.length} deletes failed; the first: ${failure.message}`, { cause: errors });
    }
  }
}

function describe(key: string, output: HeadObjectCommandOutput | GetObjectCommandOutput, size: number): ObjectInfo {
  return {
    key,
    size,
    etag: output.ETag ?? '""',
    lastModified: output.LastModified ?? new Date(0),
    ...(output.ContentType === undefined ? {} : { contentType: output.ContentType }),
    ...(output.CacheControl === undefined ? {} : { cacheControl: output.CacheControl }),
    ...(output.Metadata === undefined || Object.keys(output.Metadata).length === 0 ? {} : { metadata: output.Metadata }),
  };
}

async function* countBytes(body: Readable, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    add(bytes.length);
    yield bytes;
  }
}
