/**
 * Cuts a byte source (a file or a command's stdout) into content-defined chunks. Bytes are read
 * into large buffers and each chunk is a view into one of them: a buffer is never written again
 * once a chunk points into it (a refill starts a fresh buffer and moves only the unconsumed tail),
 * so chunks can be handed to asynchronous compression without copying.
 */
import { read } from 'node:fs';
import type { FastCdc } from './fastcdc.js';

/** Reads up to `length` bytes into `target` at `offset`; resolves 0 at the end of the input. */
export type ByteReader = (target: Buffer, offset: number, length: number) => Promise<number>;

/**
 * Reads an open file descriptor from the start, in order. A plain descriptor with the callback
 * API: a backup opens thousands of small files, and FileHandle's bookkeeping shows up in profiles.
 */
export function fileReader(fd: number): ByteReader {
  let position = 0;
  return function readFile(target, offset, length) {
    return new Promise((resolve, reject) => {
      read(fd, target, offset, length, position, (error, bytesRead) => {
        if (error) return reject(error);
        position += bytesRead;
        resolve(bytesRead);
      });
    });
  };
}

/** Reads a stream of buffers (e.g. a child's stdout). */
export function streamReader(stream: AsyncIterable<Buffer | string>): ByteReader {
  const iterator = stream[Symbol.asyncIterator]();
  let pending: Buffer | undefined;
  return async function readStream(target, offset, length) {
    while (!pending || pending.length === 0) {
      const next = await iterator.next();
      if (next.done) return 0;
      pending = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
    const n = Math.min(length, pending.length);
    pending.copy(target, offset, 0, n);
    pending = pending.subarray(n);
    return n;
  };
}

/**
 * Yields the chunks of everything `read` returns. `sizeHint` (a file's size from stat) keeps small
 * inputs from allocating full-size buffers; an input that turns out longer is still read whole.
 */
export async function* chunkStream(read: ByteReader, cdc: FastCdc, sizeHint?: number): AsyncGenerator<Buffer> {
  const { maxSize } = cdc.params;
  // Two maximum chunks per buffer: a refill always leaves room for one whole chunk after the tail.
  const fullCapacity = 2 * maxSize;
  let buffer = Buffer.allocUnsafe(sizeHint !== undefined && sizeHint < fullCapacity ? sizeHint + 1 : fullCapacity);
  let length = 0;
  let position = 0;
  let ended = false;
  for (;;) {
    if (!ended && length - position < maxSize) {
      if (position > 0 || length === buffer.length) {
        const capacity = Math.max(buffer.length, length - position === buffer.length ? fullCapacity : 0);
        const fresh = Buffer.allocUnsafe(Math.max(capacity, length - position + maxSize));
        buffer.copy(fresh, 0, position, length);
        length -= position;
        position = 0;
        buffer = fresh;
      }
      while (!ended && length < buffer.length) {
        const n = await read(buffer, length, buffer.length - length);
        if (n === 0) ended = true;
        else length += n;
      }
      // The size hint was short (a growing file, a stream): keep reading with full-size buffers.
      if (!ended && length - position < maxSize) continue;
    }
    if (position === length) return;
    const cut = cdc.cutPoint(buffer, position, length);
    yield buffer.subarray(position, cut);
    position = cut;
  }
}
