/**
 * The access-log queue between requests and a sink. A request only appends its record (never
 * waits); batches leave when full or every `flushMs`, one hand-over at a time. A failed hand-over
 * is counted and its batch put back for the next tick; the queue is bounded, and records beyond it
 * are dropped and counted — a slow or dead sink costs memory up to the bound, never a response.
 */
import type { Logger } from 'pino';
import type { EdgeMetrics } from '../metrics.js';
import type { EdgeAccessRecord } from './accessRecord.js';
import type { AccessLogSink } from './logSinks.js';

/** How the queue batches. */
export interface QueueOptions {
  readonly batchRecords: number;
  readonly flushMs: number;
  readonly maxQueued: number;
  readonly stopFlushMs: number;
}

/** A sink failure is logged at most this often (milliseconds); the metric counts each one. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/** Batches records, encoded as the sink wants them, to one sink. */
export class AccessLogQueue<T> {
  readonly #sink: AccessLogSink<T>;
  readonly #options: QueueOptions;
  readonly #metrics: EdgeMetrics;
  readonly #logger: Logger;
  #queue: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #soonScheduled = false;
  #stopped = false;
  #stopping: Promise<void> | undefined;
  #lastFailureLog = 0;

  constructor(sink: AccessLogSink<T>, options: QueueOptions, metrics: EdgeMetrics, logger: Logger) {
    this.#sink = sink;
    this.#options = options;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  /** Records waiting. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Starts the periodic flush. */
  start(): void {
    this.#timer = setInterval(() => void this.flush(), this.#options.flushMs);
    this.#timer.unref();
  }

  /** Appends a record; never blocks. */
  push(record: EdgeAccessRecord): void {
    if (this.#stopped) {
      this.#metrics.logDropped('stopped', 1);
      return;
    }
    if (this.#queue.length >= this.#options.maxQueued) {
      this.#metrics.logDropped('queue_full', 1);
      return;
    }
    this.#queue.push(this.#sink.encode(record));
    if (this.#queue.length >= this.#options.batchRecords && !this.#soonScheduled && this.#sending === undefined) {
      this.#soonScheduled = true;
      setImmediate(() => {
        this.#soonScheduled = false;
        void this.flush();
      });
    }
  }

  /** Hands over what is queued, batch by batch; stops at the first failure. Resolves when done. */
  flush(): Promise<void> {
    this.#sending ??= this.#drain().finally(() => {
      this.#sending = undefined;
    });
    return this.#sending;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const size = this.#options.batchRecords;
      let batch: T[];
      if (this.#queue.length <= size) {
        batch = this.#queue;
        this.#queue = [];
      } else batch = this.#queue.splice(0, size);
      try {
        await this.#sink.send(batch);
        this.#metrics.logSent(this.#sink.name, batch.length);
      } catch (error) {
        this.#metrics.sinkFailed(this.#sink.name);
        this.#putBack(batch);
        const now = Date.now();
        if (now - this.#lastFailureLog >= FAILURE_LOG_INTERVAL_MS) {
          this.#lastFailureLog = now;
          this.#logger.warn({ sink: this.#sink.name, err: error, queued: this.#queue.length }, 'edge: access logs could not be handed over; retrying');
        }
        return;
      }
    }
  }

  #putBack(batch: T[]): void {
    const room = this.#options.maxQueued - this.#queue.length;
    const kept = room >= batch.length ? batch : batch.slice(batch.length - Math.max(room, 0));
    if (kept.length < batch.length) this.#metrics.logDropped('queue_full', batch.length - kept.length);
    this.#queue = kept.concat(this.#queue);
  }

  /** Stops taking records, hands over what is queued within `stopFlushMs`, then closes the sink. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    const deadline = Date.now() + this.#options.stopFlushMs;
    const waitAtMost = (ms: number, what: Promise<unknown>): Promise<unknown> =>
      Promise.race([what, new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, deadline - Date.now()))).unref())]);
    while (this.#queue.length > 0 && Date.now() < deadline) {
      const before = this.#queue.length;
      await waitAtMost(Infinity, this.flush());
      // No progress (the sink is down): wait a little before the next try instead of spinning.
      if (this.#queue.length >= before) await waitAtMost(100, new Promise(() => undefined));
    }
    if (this.#sending !== undefined) await waitAtMost(Infinity, this.#sending.catch(() => undefined));
    if (this.#queue.length > 0) {
      this.#metrics.logDropped('stopped', this.#queue.length);
      this.#logger.warn({ sink: this.#sink.name, dropped: this.#queue.length }, 'edge: access logs left undelivered at stop');
      this.#queue = [];
    }
    await this.#sink.close();
  }
}
