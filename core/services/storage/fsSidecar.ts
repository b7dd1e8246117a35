/**
 * The fs engine's durable writes and its sidecar records. Every byte is first written to a temp
 * file (hashed while it streams), fsynced, and only then renamed into place, so a reader or a crash
 * sees the old file or the new one, never part of one. Each object has a sidecar (JSON, in a tree
 * of its own) with its etag, content type, cache control and metadata, plus the inode and size of
 * the content file it describes: a sidecar that names another inode is stale (a crash fell between
 * the two renames of a put) and is rebuilt from the content.
 */
import { createHash, randomUUID } from 'node:crypto';
import { constants, type BigIntStats } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { PutOptions } from './storage.js';
import { fsFailure, isErrno } from './fsFailure.js';

/** Largest sidecar read, in bytes: metadata is capped at 2 KB, so anything bigger is not ours. */
const MAX_SIDECAR_BYTES = 64 * 1024;
/** Chunk used when hashing an existing file, in bytes. */
const HASH_CHUNK_BYTES = 256 * 1024;

/** What the sidecar of one object records. */
export interface Sidecar extends PutOptions {
  /** Format version, for future migrations. */
  readonly v: 1;
  /** Inode of the content file described (a decimal string: inodes can exceed 2^53). */
  readonly ino: string;
  readonly size: number;
  readonly etag: string;
}

/** A file written in the temp folder, still open so the caller can fsync it before renaming it into place. */
export interface TempFile {
  readonly path: string;
  readonly size: number;
  /** Quoted SHA-256 of the content, as in an HTTP ETag. */
  readonly etag: string;
  readonly ino: string;
  /** fsyncs and closes the file; call it (or {@link TempFile.discard}) exactly once. */
  commit(): Promise<void>;
  /** Closes and removes the file. */
  discard(): Promise<void>;
}

/**
 * Streams `body` into a new temp file, hashing and counting as it goes. A failure of the disk
 * becomes a storage error; a failure of `body` itself (a client that hung up) is rethrown as it
 * is, since it is the caller's. On failure the temp file is removed. The fsync is left to
 * {@link TempFile.commit}, so a put can fsync its content and its sidecar together.
 */
export async function writeTempFile(tmpDir: string, key: string, body: Buffer | string | Readable): Promise<TempFile> {
  const path = join(tmpDir, `${randomUUID()}.tmp`);
  const onDisk = <T>(step: Promise<T>): Promise<T> => step.catch((error: unknown) => Promise.reject(fsFailure(error, 'write', key)));
  const handle = await onDisk(open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644));
  const discard = async (): Promise<void> => {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
  };
  try {
    const hash = createHash('sha256');
    let size = 0;
    const chunks = typeof body === 'string' || Buffer.isBuffer(body) ? [body] : body;
    for await (const chunk of chunks as AsyncIterable<unknown> | Iterable<unknown>) {
      const bytes = toBuffer(chunk);
      hash.update(bytes);
      size += bytes.length;
      await onDisk(writeAll(handle, bytes));
    }
    const stat = await onDisk(handle.stat({ bigint: true }));
    const commit = async (): Promise<void> => {
      await onDisk(handle.sync());
      await onDisk(handle.close());
    };
    return { path, size, etag: `"${hash.digest('hex')}"`, ino: stat.ino.toString(), commit, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}

/** Writes a sidecar to a temp file; the caller commits it and renames it into place. */
export async function writeTempSidecar(tmpDir: string, key: string, sidecar: Sidecar): Promise<TempFile> {
  return writeTempFile(tmpDir, key, JSON.stringify(sidecar));
}

/** Reads a sidecar; undefined when it is absent, unreadable or not one of ours. */
export async function readSidecar(path: string): Promise<Sidecar | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(MAX_SIDECAR_BYTES + 1);
    // A folder where a sidecar belongs is a crash leftover: treated as no sidecar, then rebuilt.
    const read = await handle.read(buffer, 0, buffer.length, 0).catch((error: unknown) => (isErrno(error, 'EISDIR') ? undefined : Promise.reject(error)));
    if (read === undefined) return undefined;
    const { bytesRead } = read;
    if (bytesRead > MAX_SIDECAR_BYTES) return undefined;
    return parseSidecar(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

/** True when `sidecar` describes the content file whose stat is `stat`. */
export function sidecarMatches(sidecar: Sidecar | undefined, stat: BigIntStats): sidecar is Sidecar {
  return sidecar !== undefined && sidecar.ino === stat.ino.toString() && BigInt(sidecar.size) === stat.size;
}

/** The quoted SHA-256 of an open file's whole content (used to rebuild a stale sidecar). */
export async function hashOpenFile(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(HASH_CHUNK_BYTES);
  for (let position = 0; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return `"${hash.digest('hex')}"`;
}


function parseSidecar(text: string): Sidecar | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const valid =
    record['v'] === 1 &&
    typeof record['ino'] === 'string' &&
    Number.isSafeInteger(record['size']) &&
    typeof record['etag'] === 'string' &&
    optionalString(record['contentType']) &&
    optionalString(record['cacheControl']) &&
    (record['metadata'] === undefined || isStringRecord(record['metadata']));
  return valid ? (record as unknown as Sidecar) : undefined;
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isStringRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.values(value).every((item) => typeof item === 'string');
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`a storage body yields bytes or strings, not ${typeof chunk}`);
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
