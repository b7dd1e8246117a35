/**
 * The access-log queue between requests and a sink. A request only adds its record to the open
 * batch (never waits); batches leave when full or every `flushMs`, oldest first, one hand-over at
 * a time. A failed hand-over is counted and its batch kept at the head for the next tick; the
 * queue is bounded, and records beyond it are dropped and counted — a slow or dead sink costs
 * memory up to the bound, never a response.
 */
import type { Logger } from 'pino';
import type { EdgeMetrics } from '../metrics.js';
import type { EdgeAccessRecord } from './accessRecord.js';
import type { LogBatch } from './logBatches.js';
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
export class AccessLogQueue<B extends LogBatch = LogBatch> {
  readonly #sink: AccessLogSink<B>;
  readonly #options: QueueOptions;
  readonly #metrics: EdgeMetrics;
  readonly #logger: Logger;
  #open: B;
  /** Full batches waiting, oldest first (a failed one stays at the head). */
  #ready: B[] = [];
  #queued = 0;
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #soonScheduled = false;
  #stopped = false;
  #stopping: Promise<void> | undefined;
  #lastFailureLog = 0;

  constructor(sink: AccessLogSink<B>, options: QueueOptions, metrics: EdgeMetrics, logger: Logger) {
    this.#sink = sink;
    this.#options = options;
    this.#metrics = metrics;
    this.#logger = logger;
    this.#open = sink.newBatch();
  }

  /** Records waiting. */
  get queued(): number {
    return this.#queued;
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
    if (this.#queued >= this.#options.maxQueued) {
      this.#metrics.logDropped('queue_full', 1);
      return;
    }
    this.#open.add(record);
    this.#queued++;
    if (this.#open.records >= this.#options.batchRecords) this.#close();
    if (this.#ready.length > 0 && !this.#soonScheduled && this.#sending === undefined) {
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

  /** Moves the open batch, if it holds records, to the ready ones. */
  #close(): void {
    if (this.#open.records === 0) return;
    this.#ready.push(this.#open);
    this.#open = this.#sink.newBatch();
  }

  async #drain(): Promise<void> {
    this.#close();
    while (this.#ready.length > 0) {
      const batch = this.#ready[0]!;
      try {
        await this.#sink.send(batch);
      } catch (error) {
        this.#metrics.sinkFailed(this.#sink.name);
        const now = Date.now();
        if (now - this.#lastFailureLog >= FAILURE_LOG_INTERVAL_MS) {
          this.#lastFailureLog = now;
          this.#logger.warn({ sink: this.#sink.name, err: error, queued: this.#queued }, 'edge: access logs could not be handed over; retrying');
        }
        return;
      }
      this.#ready.shift();
      this.#queued -= batch.records;
      this.#metrics.logSent(this.#sink.name, batch.records);
      // Records that came while this one was sent may have filled the open batch: they go next.
      if (this.#ready.length === 0) this.#close();
    }
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
    while (this.#queued > 0 && Date.now() < deadline) {
      const before = this.#queued;
      await waitAtMost(Infinity, this.flush());
      // No progress (the sink is down): wait a little before the next try instead of spinning.
      if (this.#queued >= before) await waitAtMost(100, new Promise(() => undefined));
    }
    if (this.#sending !== undefined) await waitAtMost(Infinity, this.#sending.catch(() => undefined));
    if (this.#queued > 0) {
      this.#metrics.logDropped('stopped', this.#queued);
      this.#logger.warn({ sink: this.#sink.name, dropped: this.#queued }, 'edge: access logs left undelivered at stop');
      this.#ready = [];
      this.#open = this.#sink.newBatch();
      this.#queued = 0;
    }
    await this.#sink.close();
  }
}
