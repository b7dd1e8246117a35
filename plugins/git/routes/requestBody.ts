/**
 * Raw git request bodies. Fastify hands the git content types over as the untouched request
 * stream (no body limit of its own); here they are un-gzipped when git compressed them (it does
 * for fetch negotiation) and turned into byte chunks whose errors are protocol errors.
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { HearthError } from '../../../core/errors/HearthError.js';

/** The request content types git's smart HTTP sends. */
export const GIT_REQUEST_TYPES = ['application/x-git-receive-pack-request', 'application/x-git-upload-pack-request'] as const;

/**
 * The body's bytes, decompressed when `Content-Encoding: gzip`. The source is read by explicit
 * `next()` calls only, so stopping early never destroys the request (the reply still goes out).
 */
export function gitRequestBody(raw: IncomingMessage): AsyncIterable<Buffer> {
  const encoding = (raw.headers['content-encoding'] ?? 'identity').toLowerCase();
  let stream: Readable = raw;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = raw.pipe(createGunzip());
  else if (encoding !== 'identity') {
    throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `Content-Encoding '${encoding}' is not supported (send identity or gzip)`);
  }
  return chunksOf(stream);
}

async function* chunksOf(stream: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
  } catch (error) {
    throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `the request body could not be read: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads a whole (small) body. Throws HEARTH_ERR_GIT_REQUEST_TOO_LARGE past `maxBytes` decompressed. */
export async function readWholeBody(body: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
  const iterator = body[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
    size += step.value.length;
    if (size > maxBytes) {
      throw new HearthError('HEARTH_ERR_GIT_REQUEST_TOO_LARGE', `the fetch request is larger than ${maxBytes} bytes (maxNegotiationBytes)`);
    }
    chunks.push(step.value);
  }
  return Buffer.concat(chunks);
}
