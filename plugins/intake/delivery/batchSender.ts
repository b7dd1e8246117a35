/**
 * Moves sealed batches from the spool into the analytics store, one at a time, oldest first. A
 * batch leaves the spool only after the store took it. While the store is down, the same batch is
 * retried with exponential backoff (with jitter), each retry asking the store to skip rows an
 * earlier attempt may have stored. A batch the store refuses as data (not as an outage) is moved
 * aside into the spool's `rejected/` folder, logged and counted, so it cannot block the rest.
 */
import type { Logger } from 'pino';
import type { AnalyticsStore } from '../../../core/services/analytics/analyticsStore.js';
import { describeError, isHearthError } from '../../../core/errors/HearthError.js';
import type { IntakeMetrics } from '../metrics.js';
import type { Spool, SpooledBatch } from './spool.js';

/** Backoff bounds, in milliseconds. */
export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Failed attempts in a row after which every further one is logged only every this many. */
const LOG_EVERY_FAILURES = 10;

interface QueuedBatch {
  batch: SpooledBatch;
  failures: number;
}

/** The single inserter of one intake plugin. */
export class BatchSender {
  readonly #store: AnalyticsStore;
  readonly #spool: Spool;
  readonly #metrics: IntakeMetrics;
  readonly #logger: Logger;
  readonly #retry: RetryPolicy;
  readonly #queue: QueuedBatch[] = [];
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;

  constructor(store: AnalyticsStore, spool: Spool, metrics: IntakeMetrics, logger: Logger, retry: RetryPolicy) {
    this.#store = store;
    this.#spool = spool;
    this.#metrics = metrics;
    this.#logger = logger;
    this.#retry = retry;
  }

  /** Batches waiting (including the one being inserted). */
  get queuedBatches(): number {
    return this.#queue.length;
  }

  /** Adds a sealed batch to the end of the queue. */
  enqueue(batch: SpooledBatch): void {
    this.#queue.push({ batch, failures: 0 });
    // Only an idle sender is woken: one backing off keeps its pace while the store is down.
    if (this.#queue.length === 1) this.#wake?.();
  }

  /** Starts inserting. */
  start(): void {
    this.#stopping = false;
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
  }

  /** Waits until the queue is empty or `timeoutMs` passed; true when it emptied. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.length > 0 && Date.now() < deadline && this.#running) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.#queue.length === 0;
  }

  /** Stops after the attempt in progress; what is queued stays in the spool. Safe to call twice. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      const entry = this.#queue[0];
      if (!entry) {
        await this.#pause(undefined);
        continue;
      }
      if (await this.#attempt(entry)) {
        this.#queue.shift();
      } else if (!this.#stopping) {
        const delay = Math.min(this.#retry.maxDelayMs, this.#retry.initialDelayMs * 2 ** Math.min(entry.failures - 1, 20));
        // Up to a quarter less, so hosts that lost the same store do not retry in lockstep.
        await this.#pause(delay * (0.75 + Math.random() * 0.25));
      }
    }
  }

  /** One insert attempt; true when the batch is done with (stored, or set aside as refused). */
  async #attempt(entry: QueuedBatch): Promise<boolean> {
    const { batch } = entry;
    const started = performance.now();
    try {
      const outcome = await this.#store.insertBatch({ ...batch, mayBePartlyStored: batch.mayBePartlyStored || entry.failures > 0 });
      this.#metrics.inserted(outcome.inserted, (performance.now() - started) / 1000);
      if (entry.failures > 0) this.#logger.info({ failures: entry.failures, rows: outcome.inserted, skipped: outcome.skipped }, 'analytics store reachable again; batch stored');
      await this.#spool.release(batch);
      return true;
    } catch (error) {
      if (isHearthError(error, 'HEARTH_ERR_ANALYTICS_REJECTED')) {
        const kept = await this.#spool.quarantine(batch);
        this.#metrics.drop('store_rejected', batch.rowCount);
        this.#logger.error({ err: error, file: kept, rows: batch.rowCount }, 'the analytics store refused a batch; it is kept aside for inspection');
        return true;
      }
      entry.failures++;
      this.#metrics.insertFailed();
      if (entry.failures === 1 || entry.failures % LOG_EVERY_FAILURES === 0) {
        this.#logger.warn({ failures: entry.failures, queued: this.#queue.length, error: describeError(error) }, 'analytics store unavailable; batches stay in the spool and are retried');
      }
      return false;
    }
  }

  /** Sleeps until woken (a first batch, stop) or `ms` passed. */
  #pause(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
