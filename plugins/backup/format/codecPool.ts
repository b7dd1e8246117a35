/**
 * Worker threads that compress + seal new blobs, and open + inflate stored ones (writing restored
 * files themselves), so the main thread is left with reading, chunking, hashing and planning. Two workers on a two-core machine keep both
 * cores busy; more would only queue. One pool serves the whole process; a worker keeps the process
 * alive only while it has jobs, and exits after a while idle.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BlobType } from './pack.js';

/**
 * A job sent to a worker. `data` is transferred; the key and id travel as hex, because cloning a
 * small Buffer would copy the whole pooled slab it lives in.
 */
export type CodecJob =
  | { readonly job: number; readonly op: 'encode'; readonly key: string; readonly type: number; readonly id: string; readonly data: Uint8Array }
  | { readonly job: number; readonly op: 'decode'; readonly key: string; readonly type: number; readonly id: string; readonly codec: number; readonly rawLength: number; readonly data: Uint8Array }
  | { readonly job: number; readonly op: 'restore'; readonly key: string; readonly blobs: readonly RestoreBlob[]; readonly data: Uint8Array };

/** A blob inside a byte range sent to a worker: `offset` is relative to that range. */
export interface StoredBlob {
  readonly id: string;
  readonly type: number;
  readonly codec: number;
  readonly rawLength: number;
  readonly offset: number;
  readonly length: number;
}

/** Where a restored blob's bytes go. */
export interface BlobTarget {
  /** Absolute path of the file (already checked to lie inside the restore directory). */
  readonly path: string;
  readonly offset: number;
  /**
   * Set when the file is this one blob: the write creates it, then gives it its mode and mtime
   * (seconds). Otherwise the file exists (created and sized beforehand) and is written into.
   */
  readonly whole?: { readonly mode: number; readonly mtime: number };
}

/** A blob to restore, and every place it goes. */
export interface RestoreBlob extends StoredBlob {
  readonly targets: readonly BlobTarget[];
}

/** A worker's answer: the sealed or opened bytes (transferred), or an error message. */
export interface CodecReply {
  readonly job: number;
  readonly codec?: number;
  readonly bytes?: Uint8Array;
  readonly error?: string;
  /** The error came from the stored bytes (authentication, inflation), not from the disk. */
  readonly corrupt?: boolean;
}

/** A failed worker job; `corrupt` tells damaged data from a failed write. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  readonly corrupt: boolean;

  constructor(message: string, corrupt: boolean) {
    super(message);
    this.corrupt = corrupt;
  }
}

/** Workers in the pool: one per core, at least one, at most four (brotli at our quality saturates them). */
const WORKERS = Math.max(1, Math.min(4, availableParallelism()));
/** A worker with nothing to do for this long exits, in ms (a later job starts a new one). */
const IDLE_EXIT_MS = 30_000;

interface Slot {
  worker: Worker;
  jobs: number;
  timer?: NodeJS.Timeout;
}

/** Copies `data` into memory of its own, so it can be transferred (a chunk is a view into a larger read buffer). */
function ownMemory(data: Uint8Array): Uint8Array {
  const copy = new Uint8Array(data.length);
  copy.set(data);
  return copy;
}

function startWorker(): Worker {
  // From source (tests, benchmarks) the worker is TypeScript too: it registers tsx, then loads it.
  if (import.meta.url.endsWith('.ts')) {
    // tsx's API module (its ESM build: the package's own `--import` entry only hooks the main thread).
    const api = new URL('./esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx'))).href;
    const entry = new URL('./codecWorker.ts', import.meta.url).href;
    return new Worker(`import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`, { eval: true });
  }
  return new Worker(new URL('./codecWorker.js', import.meta.url));
}

/** The process-wide pool of codec workers. */
export class CodecPool {
  static #shared: CodecPool | undefined;
  readonly #slots: (Slot | undefined)[] = new Array(WORKERS).fill(undefined);
  readonly #pending = new Map<number, { resolve(reply: CodecReply): void; reject(error: Error): void; slot: Slot }>();
  #nextJob = 0;

  /** The pool every repository of this process uses. */
  static shared(): CodecPool {
    return (CodecPool.#shared ??= new CodecPool());
  }

  #start(index: number): Slot {
    const slot: Slot = { worker: startWorker(), jobs: 0 };
    slot.worker.on('message', (reply: CodecReply) => {
      const pending = this.#pending.get(reply.job);
      if (!pending) return;
      this.#pending.delete(reply.job);
      this.#finished(slot, index);
      if (reply.error !== undefined) pending.reject(new CodecError(reply.error, reply.corrupt === true));
      else pending.resolve(reply);
    });
    const fail = (error: Error) => {
      if (this.#slots[index] === slot) this.#slots[index] = undefined;
      for (const [job, pending] of this.#pending) {
        if (pending.slot !== slot) continue;
        this.#pending.delete(job);
        pending.reject(new Error(`a codec worker stopped: ${error.message}`, { cause: error }));
      }
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.#slots[index] = slot;
    return slot;
  }

  #finished(slot: Slot, index: number): void {
    slot.jobs--;
    if (slot.jobs > 0) return;
    // Idle: let the process end if nothing else needs it.
    slot.worker.unref();
    slot.timer = setTimeout(() => {
      if (slot.jobs === 0 && this.#slots[index] === slot) {
        this.#slots[index] = undefined;
        void slot.worker.terminate();
      }
    }, IDLE_EXIT_MS);
    slot.timer.unref();
  }

  #send(job: CodecJob): Promise<CodecReply> {
    let index = 0;
    for (let i = 1; i < this.#slots.length; i++) if ((this.#slots[i]?.jobs ?? 0) < (this.#slots[index]?.jobs ?? 0)) index = i;
    const slot = this.#slots[index] ?? this.#start(index);
    if (slot.timer) clearTimeout(slot.timer);
    // Busy: a job in flight keeps the process alive until its answer arrives.
    if (slot.jobs++ === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(job.job, { resolve, reject, slot });
      slot.worker.postMessage(job, [job.data.buffer as ArrayBuffer]);
    });
  }

  /**
   * Starts every worker now and waits until each has answered once. Workers otherwise start on the
   * first job; benchmarks use this so that, run from source, loading the worker code through tsx
   * (which a built install does not do) is not timed.
   */
  async warmUp(): Promise<void> {
    const key = new Uint8Array(32);
    await Promise.all(this.#slots.map(() => this.encode(key, 0, '00'.repeat(32), new Uint8Array(1))));
  }

  /** Compresses (when it pays) and seals a new blob (`id` in hex). */
  async encode(key: Uint8Array, type: BlobType, id: string, plaintext: Uint8Array): Promise<{ codec: number; sealed: Buffer }> {
    const reply = await this.#send({ job: this.#nextJob++, op: 'encode', key: this.#hex(key), type, id, data: ownMemory(plaintext) });
    return { codec: reply.codec!, sealed: Buffer.from(reply.bytes!.buffer, reply.bytes!.byteOffset, reply.bytes!.byteLength) };
  }

  #keyHex = new WeakMap<Uint8Array, string>();

  #hex(key: Uint8Array): string {
    let hex = this.#keyHex.get(key);
    if (hex === undefined) this.#keyHex.set(key, (hex = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex')));
    return hex;
  }

  /**
   * Opens and inflates the blobs of one byte range (a stretch of a pack) and writes each to its
   * targets, in one worker job: the plaintext never crosses threads, and the worker's synchronous
   * writes cost no event-loop round trips. `bytes` is handed over (detached) when it owns its memory.
   */
  async restore(key: Uint8Array, blobs: readonly RestoreBlob[], bytes: Uint8Array): Promise<void> {
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : ownMemory(bytes);
    await this.#send({ job: this.#nextJob++, op: 'restore', key: this.#hex(key), blobs, data: owned });
  }

  /** Opens and inflates a stored blob; rejects when it fails authentication or inflates wrongly. */
  async decode(key: Uint8Array, blob: { readonly id: string; readonly type: BlobType; readonly codec: number; readonly rawLength: number }, sealed: Uint8Array): Promise<Buffer> {
    const reply = await this.#send({ job: this.#nextJob++, op: 'decode', key: this.#hex(key), type: blob.type, id: blob.id, codec: blob.codec, rawLength: blob.rawLength, data: ownMemory(sealed) });
    return Buffer.from(reply.bytes!.buffer, reply.bytes!.byteOffset, reply.bytes!.byteLength);
  }
}
