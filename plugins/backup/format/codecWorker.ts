/**
 * A codec worker thread: compresses and seals new blobs; opens and inflates stored ones, and for a
 * restore writes them straight into their files with synchronous calls (this thread does nothing
 * else, so blocking it costs nothing). Run by `codecPool.ts`. Keys arrive with each job (as hex)
 * and are imported once per worker.
 */
import { closeSync, fchmodSync, futimesSync, openSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { SealingKey } from './cipher.js';
import { compressIfItPaysSync, decompressSync } from './compression.js';
import { openBlob, sealBlob, type BlobType } from './pack.js';
import type { BlobTarget, CodecJob, CodecReply } from './codecPool.js';

const keys = new Map<string, SealingKey>();

function keyOf(hex: string): SealingKey {
  let key = keys.get(hex);
  if (!key) keys.set(hex, (key = new SealingKey(Buffer.from(hex, 'hex'))));
  return key;
}

/** A buffer whose memory can be transferred to the main thread without a copy. */
function transferable(data: Buffer): Uint8Array {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return data;
  const copy = new Uint8Array(data.length);
  copy.set(data);
  return copy;
}

function writeTarget(target: BlobTarget, plain: Buffer): void {
  const fd = openSync(target.path, target.whole ? 'wx' : 'r+', 0o600);
  try {
    for (let done = 0; done < plain.length; ) done += writeSync(fd, plain, done, plain.length - done, target.offset + done);
    if (target.whole) {
      fchmodSync(fd, target.whole.mode);
      futimesSync(fd, target.whole.mtime, target.whole.mtime);
    }
  } finally {
    closeSync(fd);
  }
}

function run(job: CodecJob): CodecReply {
  const key = keyOf(job.key);
  if (job.op === 'encode') {
    const { codec, data } = compressIfItPaysSync(Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength));
    const sealed = transferable(sealBlob(key, job.type as BlobType, Buffer.from(job.id, 'hex'), data));
    return { job: job.job, codec, bytes: sealed };
  }
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  if (job.op === 'restore') {
    for (const blob of job.blobs) {
      const sealed = data.subarray(blob.offset, blob.offset + blob.length);
      let plain: Buffer;
      try {
        plain = decompressSync(blob.codec, openBlob(key, { id: blob.id, type: blob.type as BlobType }, sealed), blob.rawLength);
      } catch (error) {
        return { job: job.job, error: `blob ${blob.id.slice(0, 12)}: ${describe(error)}`, corrupt: true };
      }
      for (const target of blob.targets) writeTarget(target, plain);
    }
    return { job: job.job };
  }
  const plain = transferable(decompressSync(job.codec, openBlob(key, { id: job.id, type: job.type as BlobType }, data), job.rawLength));
  return { job: job.job, codec: job.codec, bytes: plain };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

parentPort!.on('message', (job: CodecJob) => {
  let reply: CodecReply;
  try {
    reply = run(job);
  } catch (error) {
    // Encoding and single decodes fail only on their bytes; a restore's file writes fail on the disk.
    reply = { job: job.job, error: describe(error), corrupt: job.op === 'decode' };
  }
  parentPort!.postMessage(reply, reply.bytes ? [reply.bytes.buffer as ArrayBuffer] : []);
});
