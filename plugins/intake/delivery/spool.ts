/**
 * The disk spool: every accepted record is appended to a batch file and fsynced before it counts
 * as accepted; the file is deleted only after the store holds its rows. Files are the batches the
 * store loads (see core/services/analytics/accessBatch.ts), named `<unix ms>-<batch id>.open`
 * while filling and `.csv` once sealed (full, or older than the batch delay). Writes are grouped:
 * while one write+fsync runs, new records gather for the next, so a busy stream costs a few
 * fsyncs a second. On start, whatever a previous run left is recovered: a half-written last line
 * is cut off, and every batch is replayed with `mayBePartlyStored` so no row is stored twice.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { batchIdHex, encodeAccessRow, newBatchId } from '../../../core/services/analytics/accessBatch.js';
import type { AccessRecord } from '../../../core/services/analytics/accessRecord.js';
import { HearthError } from '../../../core/errors/HearthError.js';
import { ByteBlocks, recycleBlocks, type TakenBytes } from './byteBlocks.js';
import { DurabilityWaiters } from './durabilityWaiters.js';
import { batchBaseName, recoverSpool, REJECTED_DIR, writeAll, type SpooledBatch } from './spoolFiles.js';
import { syncDirectory } from '../../../core/services/syncDirectory.js';

export type { SpooledBatch } from './spoolFiles.js';

/** How often the batch timer looks at the current batch, at most (milliseconds). */
const IDLE_TICK_MS = 100;
/** Share of a full batch from which a batch that stopped growing is sealed before its delay. */
const IDLE_SEAL_SHARE = 0.1;

/** How the spool batches and whom it tells. */
export interface SpoolOptions {
  readonly dir: string;
  readonly maxBatchRows: number;
  readonly maxBatchDelayMs: number;
  readonly logger: Logger;
  /** A batch was sealed and can be inserted. */
  onSealed(batch: SpooledBatch): void;
  /**
   * Records were lost because the disk refused them (they were never acknowledged): `rows` holds
   * their batch-file lines, whole, newline-terminated.
   */
  onLost(rows: readonly Buffer[], count: number): void;
  /** Pending or disk bytes went down (readers may resume). */
  onRelief(): void;
}

/** Writes one batch-file row straight into the spool's memory (see {@link Spool.appendRow}). */
export interface RowEncoder {
  /** Writes the row into `target` from `at`, with its batch id (decimal digits) and index; returns where it ends. */
  encodeRow(target: Buffer, at: number, batchIdDigits: Buffer, row: number): number;
}

/** Where encoders' rows go (the spool; a test's buffer). */
export interface RowSink {
  /** Appends one row that `encoder` writes, of at most `maxBytes`. */
  appendRow(maxBytes: number, encoder: RowEncoder): void;
}

interface Segment {
  readonly id: bigint;
  /** The id in decimal, as rows spell it. */
  readonly idDigits: Buffer;
  readonly base: string;
  rows: number;
  writtenRows: number;
  /** The sequence number of the first row in `pending` (0 while it is empty). */
  pendingFirstSeq: number;
  bytes: number;
  readonly createdAt: number;
  full: boolean;
  queued: boolean;
  readonly pending: ByteBlocks;
  handle: FileHandle | undefined;
}

/** Append-only batch files with group commit. */
export class Spool implements RowSink {
  readonly #options: SpoolOptions;
  #current: Segment | undefined;
  #dirty: Segment[] = [];
  readonly #durability = new DurabilityWaiters();
  #pendingBytes = 0;
  #diskBytes = 0;
  #spooledRows = 0;
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The batch the timer last looked at, and its rows then (to see that appends stopped). */
  #lastTick: { readonly segment: Segment; readonly rows: number } | undefined;
  #closed = false;

  constructor(options: SpoolOptions) {
    this.#options = options;
  }

  /** Bytes of records appended and not yet on disk. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Bytes of spool files not yet released. */
  get diskBytes(): number {
    return this.#diskBytes;
  }

  /** Records in the spool not yet released (including those not yet on disk). */
  get spooledRows(): number {
    return this.#spooledRows;
  }

  /** Recovers what an earlier run left, starts the batch-age timer; returns batches to replay, oldest first. */
  async open(): Promise<SpooledBatch[]> {
    const batches = await recoverSpool(this.#options.dir);
    for (const batch of batches) {
      this.#diskBytes += batch.bytes;
      this.#spooledRows += batch.rowCount;
    }
    if (batches.length > 0) this.#options.logger.info({ batches: batches.length, rows: this.#spooledRows }, 'spool recovered; replaying');
    this.#timer = setInterval(() => this.#sealIfDue(), Math.max(10, Math.min(IDLE_TICK_MS, Math.floor(this.#options.maxBatchDelayMs / 4))));
    this.#timer.unref();
    return batches;
  }

  /** Appends a record to the current batch (in memory until the next write). */
  append(record: AccessRecord): void {
    const segment = this.#segmentForRow();
    const before = segment.pending.bytes;
    segment.pending.add(encodeAccessRow(record, segment.id, segment.rows));
    this.#appended(segment, before);
  }

  /**
   * Appends a row that `encoder` writes itself (at most `maxBytes`): the same line
   * {@link encodeAccessRow} would make, without a record or a string in between.
   */
  appendRow(maxBytes: number, encoder: RowEncoder): void {
    const segment = this.#segmentForRow();
    const { pending } = segment;
    const before = pending.bytes;
    const block = pending.room(maxBytes);
    pending.wrote(encoder.encodeRow(block, pending.writeAt, segment.idDigits, segment.rows));
    this.#appended(segment, before);
  }

  #segmentForRow(): Segment {
    if (this.#closed) throw new HearthError('HEARTH_ERR_INTAKE_SPOOL', 'the spool is closed');
    const segment = this.#current;
    return segment && !segment.full ? segment : (this.#current = this.#newSegment());
  }

  #appended(segment: Segment, bytesBefore: number): void {
    segment.rows++;
    this.#pendingBytes += segment.pending.bytes - bytesBefore;
    const seq = this.#durability.appended();
    if (segment.pendingFirstSeq === 0) segment.pendingFirstSeq = seq;
    this.#spooledRows++;
    if (segment.rows >= this.#options.maxBatchRows) segment.full = true;
    this.#queue(segment);
  }

  /** The mark to give {@link commit} for the records appended from now on. */
  get mark(): number {
    return this.#durability.latest;
  }

  /**
   * Resolves when every record appended since `after` (a {@link mark}) is on disk (fsynced);
   * rejects if the disk refused any of them.
   */
  commit(after: number): Promise<void> {
    const durable = this.#durability.untilDurable(after);
    this.#kick();
    return durable;
  }

  /** Seals the current batch now (used on stop) and waits for it to be on disk. */
  async sealCurrent(): Promise<void> {
    const segment = this.#current;
    if (segment && segment.rows > 0 && !segment.full) {
      segment.full = true;
      this.#queue(segment);
    }
    this.#kick();
    // A flush that ends re-starts itself when more work came in meanwhile: wait for all of them.
    // (Rows a failed write lost were counted and their waiters told; there is nothing to wait for.)
    while (this.#flushing) await this.#flushing;
  }

  /** Deletes a batch the store now holds. */
  async release(batch: SpooledBatch): Promise<void> {
    await rm(batch.file, { force: true });
    this.#diskBytes -= batch.bytes;
    this.#spooledRows -= batch.rowCount;
    this.#options.onRelief();
  }

  /** Moves a batch the store refused into `rejected/`, where it is kept for a person to look at. */
  async quarantine(batch: SpooledBatch): Promise<string> {
    const target = join(this.#options.dir, REJECTED_DIR, `${batchIdHex(batch.id)}.csv`);
    await rename(batch.file, target);
    this.#diskBytes -= batch.bytes;
    this.#spooledRows -= batch.rowCount;
    this.#options.onRelief();
    return target;
  }

  /** Stops the timer and closes the open file (records not yet sealed stay for the next start). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    while (this.#flushing) await this.#flushing;
    await this.#current?.handle?.close();
  }

  #newSegment(): Segment {
    const id = newBatchId();
    return { id, idDigits: Buffer.from(id.toString(), 'latin1'), base: batchBaseName(id, Date.now()), rows: 0, writtenRows: 0, pendingFirstSeq: 0, bytes: 0, createdAt: Date.now(), full: false, queued: false, pending: new ByteBlocks(), handle: undefined };
  }

  #queue(segment: Segment): void {
    if (!segment.queued) {
      segment.queued = true;
      this.#dirty.push(segment);
    }
    this.#kick();
  }

  /**
   * Seals the current batch once it is older than the batch delay, or — when it holds a good
   * share of a batch — as soon as a tick passes without a new row: a burst that has ended is
   * stored now instead of waiting out the delay, while a trickle still makes one insert per delay.
   */
  #sealIfDue(): void {
    const segment = this.#current;
    if (!segment || segment.full || segment.rows === 0) return;
    const last = this.#lastTick;
    const idle = last?.segment === segment && last.rows === segment.rows && segment.rows >= this.#options.maxBatchRows * IDLE_SEAL_SHARE;
    this.#lastTick = { segment, rows: segment.rows };
    if (idle || Date.now() - segment.createdAt >= this.#options.maxBatchDelayMs) {
      segment.full = true;
      this.#queue(segment);
    }
  }

  #kick(): void {
    if (this.#flushing) return;
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = undefined;
      if (this.#dirty.length > 0) this.#kick();
    });
  }

  async #flushLoop(): Promise<void> {
    while (this.#dirty.length > 0) {
      const target = this.#durability.latest;
      const work = this.#dirty.map((segment) => {
        const first = segment.pendingFirstSeq;
        segment.pendingFirstSeq = 0;
        return { segment, first, taken: segment.pending.take() };
      });
      for (const { segment } of work) segment.queued = false;
      this.#dirty = [];
      for (const { segment, first, taken } of work) {
        try {
          await this.#write(segment, taken);
        } catch (error) {
          await this.#lose(segment, first, taken, error as Error);
        }
        this.#pendingBytes -= taken.bytes;
      }
      this.#durability.settle(target);
      this.#options.onRelief();
    }
  }

  /**
   * A write failed: its rows, and those the batch took while it ran, are lost (never acknowledged:
   * their waiters are rejected). The batch is closed with what was fsynced before, and no later
   * row goes to its file.
   */
  async #lose(segment: Segment, first: number, taken: TakenBytes, error: Error): Promise<void> {
    const failure = new HearthError('HEARTH_ERR_INTAKE_SPOOL', `could not write the spool in ${this.#options.dir}: ${error.message}; check the disk`, { cause: error });
    segment.full = true;
    const later = segment.pending.take();
    const laterFirst = segment.pendingFirstSeq;
    segment.pendingFirstSeq = 0;
    this.#pendingBytes -= later.bytes;
    const lost = taken.rows + later.rows;
    this.#options.logger.error({ err: failure, lost }, 'spool write failed; the records were not accepted');
    // The two runs of rows are consecutive numbers: the batch took every row appended meanwhile.
    if (taken.rows > 0) this.#durability.lost(first, first + taken.rows - 1, failure);
    if (later.rows > 0) this.#durability.lost(laterFirst, laterFirst + later.rows - 1, failure);
    this.#spooledRows -= lost;
    this.#options.onLost([...taken.buffers, ...later.buffers], lost);
    await this.#abandon(segment);
  }

  async #write(segment: Segment, taken: TakenBytes): Promise<void> {
    const path = join(this.#options.dir, `${segment.base}.open`);
    if (taken.rows > 0) {
      if (!segment.handle) {
        segment.handle = await open(path, 'a', 0o600);
        await syncDirectory(this.#options.dir);
      }
      await writeAll(segment.handle, taken.buffers, taken.bytes);
      await segment.handle.datasync();
      recycleBlocks(taken.finished);
      segment.bytes += taken.bytes;
      segment.writtenRows += taken.rows;
      this.#diskBytes += taken.bytes;
    }
    if (segment.full && segment.pending.rows === 0) await this.#seal(segment, path);
  }

  async #seal(segment: Segment, path: string): Promise<void> {
    if (!segment.handle) return;
    await segment.handle.close();
    segment.handle = undefined;
    const file = join(this.#options.dir, `${segment.base}.csv`);
    await rename(path, file);
    this.#options.onSealed({ id: segment.id, file, rowCount: segment.writtenRows, bytes: segment.bytes, mayBePartlyStored: false });
  }

  /** After a failed write: cut the file back to what was fsynced, seal that, and start a new batch. */
  async #abandon(segment: Segment): Promise<void> {
    segment.full = true;
    const path = join(this.#options.dir, `${segment.base}.open`);
    try {
      if (segment.handle) await segment.handle.truncate(segment.bytes);
      if (segment.writtenRows > 0) await this.#seal(segment, path);
      else {
        await segment.handle?.close();
        segment.handle = undefined;
        await rm(path, { force: true });
      }
    } catch (error) {
      this.#options.logger.error({ err: error, file: path }, 'could not tidy a spool file after a failed write; it is replayed on the next start');
    }
  }
}

