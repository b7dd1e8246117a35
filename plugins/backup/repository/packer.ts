/**
 * Turns new blobs into stored packs. Blobs are compressed and sealed by the codec workers a few
 * at a time, and appended to the open pack; a full pack is uploaded in the background while the next
 * one fills. After every `indexEvery` stored packs, and at {@link Packer.flush}, an index file for
 * them is written, so the order on the target is always data, then index (then, from the caller,
 * the snapshot). A run that dies loses at most the packs since the last index file, and those are
 * found again by their headers (see `adoptPacks.ts`).
 */
import { CodecPool } from '../format/codecPool.js';
import { compressIfItPaysSync } from '../format/compression.js';
import { BlobType, PackBuilder, sealBlob } from '../format/pack.js';
import { encodeIndex, type IndexedPack, type RepositoryIndex } from '../format/repositoryIndex.js';
import { packKey } from './layout.js';
import type { Repository } from './repository.js';

/**
 * Blobs up to this size (bytes) are compressed and sealed right here: for a small file the trip to
 * a worker costs more than the work (~50 µs for 16 KiB of text).
 */
const INLINE_BYTES = 64 * 1024;

/** Packing settings. */
export interface PackerOptions {
  /** A pack is closed once its blobs reach this many bytes. */
  readonly packSize: number;
  /** Blobs in the codec workers at once (two per worker keeps each busy while the other waits). */
  readonly compressConcurrency: number;
  /** Packs uploaded at once. */
  readonly uploadConcurrency: number;
  /** Packs per index file written during a run. */
  readonly indexEvery: number;
}

/** Collects blobs into packs and stores them with their index. */
export class Packer {
  readonly #repo: Repository;
  readonly #index: RepositoryIndex;
  readonly #options: PackerOptions;
  readonly #queued = new Set<string>();
  readonly #compressing = new Set<Promise<void>>();
  readonly #uploading = new Set<Promise<void>>();
  #pack = new PackBuilder();
  #unindexed: IndexedPack[] = [];
  #failure: { error: unknown } | undefined;
  /** Stored bytes of the packs this packer wrote. */
  addedBytes = 0;
  /** Packs this packer wrote. */
  addedPacks = 0;
  /** Plaintext bytes of the blobs this packer stored. */
  addedRawBytes = 0;

  constructor(repo: Repository, index: RepositoryIndex, options: PackerOptions) {
    this.#repo = repo;
    this.#index = index;
    this.#options = options;
  }

  /** True when the blob is stored or on its way. */
  has(id: string): boolean {
    return this.#index.has(id) || this.#queued.has(id);
  }

  #check(): void {
    if (this.#failure) throw this.#failure.error;
  }

  /** Queues a new blob (call only when {@link has} is false). Resolves once there is room for more. */
  async add(type: BlobType, id: Buffer, plaintext: Buffer): Promise<void> {
    this.#check();
    const hex = id.toString('hex');
    if (this.has(hex)) return;
    this.#queued.add(hex);
    const task = this.#process(type, id, hex, plaintext).catch((error: unknown) => {
      this.#failure ??= { error };
    });
    this.#compressing.add(task);
    void task.finally(() => this.#compressing.delete(task));
    while (this.#compressing.size >= this.#options.compressConcurrency) await Promise.race(this.#compressing);
    this.#check();
  }

  async #process(type: BlobType, id: Buffer, hex: string, plaintext: Buffer): Promise<void> {
    const { codec, sealed } =
      plaintext.length <= INLINE_BYTES ? this.#encodeHere(type, id, plaintext) : await CodecPool.shared().encode(this.#repo.keys.sealingKeyBytes, type, hex, plaintext);
    if (this.#failure) return;
    this.#pack.add({ id: hex, type, codec, rawLength: plaintext.length }, sealed);
    this.addedRawBytes += plaintext.length;
    if (this.#pack.size >= this.#options.packSize) await this.#closePack();
  }

  #encodeHere(type: BlobType, id: Buffer, plaintext: Buffer): { codec: number; sealed: Buffer } {
    const { codec, data } = compressIfItPaysSync(plaintext);
    return { codec, sealed: sealBlob(this.#repo.keys.sealing, type, id, data) };
  }

  async #closePack(): Promise<void> {
    if (this.#pack.count === 0) return;
    const builder = this.#pack;
    this.#pack = new PackBuilder();
    const { id, parts, size, blobs } = builder.finish(this.#repo.keys.sealing);
    while (this.#uploading.size >= this.#options.uploadConcurrency) await Promise.race(this.#uploading);
    const upload = this.#upload({ id, size, blobs }, parts).catch((error: unknown) => {
      this.#failure ??= { error };
    });
    this.#uploading.add(upload);
    void upload.finally(() => this.#uploading.delete(upload));
  }

  async #upload(pack: IndexedPack, parts: readonly Buffer[]): Promise<void> {
    await this.#repo.target.put(packKey(pack.id), parts);
    this.addedBytes += pack.size;
    this.addedPacks++;
    this.#index.addPack(pack);
    for (const blob of pack.blobs) this.#queued.delete(blob.id);
    this.#unindexed.push(pack);
    if (this.#unindexed.length >= this.#options.indexEvery) await this.#writeIndex();
  }

  async #writeIndex(): Promise<void> {
    const packs = this.#unindexed;
    this.#unindexed = [];
    if (packs.length > 0) await this.#repo.saveFile('index', encodeIndex(packs));
  }

  /** Waits for every queued blob, stores the last pack and writes the index for what is left. */
  async flush(): Promise<void> {
    while (this.#compressing.size > 0) await Promise.race(this.#compressing);
    this.#check();
    await this.#closePack();
    while (this.#uploading.size > 0) await Promise.race(this.#uploading);
    this.#check();
    await this.#writeIndex();
  }

  /** Waits for work in flight without storing anything more (after a failure elsewhere). */
  async abandon(): Promise<void> {
    this.#failure ??= { error: new Error('abandoned') };
    await Promise.allSettled([...this.#compressing, ...this.#uploading]);
  }
}
