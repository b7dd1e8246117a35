/**
 * The path every line and record takes, whatever brought it: out of its syslog envelope, parsed,
 * validated and enriched, de-duplicated by request id, appended to the spool. Listeners ask
 * `saturated` after each read and pause (TCP), drop (UDP) or answer 503 (HTTP) while it is true;
 * `onRelief` tells them when to go on.
 */
import type { AccessRecord } from '../../../core/services/analytics/accessRecord.js';
import type { Clock } from '../../../core/services/clock.js';
import type { CountCell, IntakeMetrics } from '../metrics.js';
import { parseLogLine, type LogFormat } from '../parsers/logFormat.js';
import { BunnyLane } from '../records/bunnyLane.js';
import { isDrop, type DropReason, type RawAccess } from '../records/rawAccess.js';
import type { RecordBuilder } from '../records/recordBuilder.js';
import type { RequestIdWindow } from '../records/requestIdWindow.js';
import { syslogMessage } from '../syslog/syslogMessage.js';
import type { Spool } from './spool.js';

/** Where lines come from: the label of `hearth_intake_lines_received_total`. */
export type ListenerKind = 'udp' | 'tcp' | 'http' | 'service';

/** How lines from one source are read. */
export interface LineSource {
  readonly listener: ListenerKind;
  readonly format: LogFormat;
  /** The site for lines that name none. */
  readonly defaultSite?: string;
}

/** Bounds that make readers wait. */
export interface PipelineLimits {
  /** Longest line, in UTF-8 bytes (as TCP and UDP frames are held to it). */
  readonly maxLineBytes: number;
  /** Characters of records in memory, not yet on disk. */
  readonly maxPendingBytes: number;
  /** Bytes of spool files not yet stored. */
  readonly maxSpoolBytes: number;
}

/** What the pipeline is made of. */
export interface PipelineParts {
  readonly builder: RecordBuilder;
  readonly requestIds: RequestIdWindow;
  readonly spool: Spool;
  readonly metrics: IntakeMetrics;
  readonly clock: Clock;
  readonly limits: PipelineLimits;
}

/** Lines in, spooled records out. */
export class IntakePipeline {
  readonly #parts: PipelineParts;
  readonly #reliefListeners = new Set<() => void>();
  readonly #received: Record<ListenerKind, CountCell>;
  readonly #accepted: CountCell;
  readonly #lane: BunnyLane;
  #family = '';
  #parsed: CountCell = { value: 0 };
  #now = 0;
  #nowFresh = false;

  constructor(parts: PipelineParts) {
    this.#parts = parts;
    const { metrics } = parts;
    this.#received = { udp: metrics.receivedCell('udp'), tcp: metrics.receivedCell('tcp'), http: metrics.receivedCell('http'), service: metrics.receivedCell('service') };
    this.#accepted = metrics.acceptedCell;
    this.#lane = new BunnyLane(parts.builder.parts, parts.requestIds, parts.spool);
  }

  /**
   * The clock's time, read once per turn of the event loop: a TCP read of a few hundred lines sees
   * one time (a Date per line would cost more than parsing the line).
   */
  #currentTime(): number {
    if (!this.#nowFresh) {
      this.#now = this.#parts.clock.now().getTime();
      this.#nowFresh = true;
      queueMicrotask(() => (this.#nowFresh = false));
    }
    return this.#now;
  }

  /** True while readers should wait: too much in memory, or the spool is full. */
  get saturated(): boolean {
    const { spool, limits } = this.#parts;
    return spool.pendingBytes > limits.maxPendingBytes || spool.diskBytes > limits.maxSpoolBytes;
  }

  /** Calls `listener` whenever the pipeline may have stopped being saturated; returns an unsubscribe. */
  onRelief(listener: () => void): () => void {
    this.#reliefListeners.add(listener);
    return () => void this.#reliefListeners.delete(listener);
  }

  /** Called by the spool when bytes were written or released. */
  relieved(): void {
    if (this.saturated) return;
    for (const listener of this.#reliefListeners) listener();
  }

  /**
   * Takes the line `data[start..end)` (a TCP frame or a line of a datagram, without its line
   * ending) all the way to the spool; a drop is counted. Bunny lines the lane can take go from
   * bytes to a row directly; every other line is decoded and goes through {@link takeLine}.
   */
  takeFrame(data: Buffer, start: number, end: number, source: LineSource): void {
    if ((source.format === 'bunny' || source.format === 'auto') && end - start <= this.#parts.limits.maxLineBytes) {
      const outcome = this.#lane.take(data, start, end, this.#currentTime(), source.defaultSite);
      if (outcome !== 'declined') {
        this.#received[source.listener].value++;
        this.#countParsed('bunny');
        if (outcome === 'stored') this.#accepted.value++;
        else this.#parts.metrics.drop('duplicate');
        return;
      }
    }
    this.takeLine(data.toString('utf8', start, end), source);
  }

  /** Takes one line (UDP, TCP) all the way to the spool; a drop is counted. */
  takeLine(frame: string, source: LineSource): void {
    const record = this.prepareLine(frame, source);
    if (isDrop(record)) this.#parts.metrics.drop(record);
    else this.admit(record);
  }

  /** Reads one line into a record, or says why not (nothing is spooled or counted as dropped yet). */
  prepareLine(frame: string, source: LineSource): AccessRecord | DropReason {
    const { limits } = this.#parts;
    this.#received[source.listener].value++;
    // A UTF-16 unit is at most 3 UTF-8 bytes: only a line longer than a third of the limit is measured.
    if (frame.length > limits.maxLineBytes || (frame.length * 3 > limits.maxLineBytes && Buffer.byteLength(frame, 'utf8') > limits.maxLineBytes)) return 'too_long';
    const message = source.listener === 'tcp' || source.listener === 'udp' || frame.charCodeAt(0) === 0x3c ? syslogMessage(frame) : frame;
    if (message.length === 0) return 'malformed';
    const raw = parseLogLine(message, source.format);
    if (isDrop(raw)) return raw;
    return this.prepareRaw(raw, source.defaultSite);
  }

  /** Validates and enriches a request handed in as fields. */
  prepareRaw(raw: RawAccess, defaultSite?: string): AccessRecord | DropReason {
    this.#countParsed(raw.source);
    return this.#parts.builder.build(raw, defaultSite, this.#currentTime());
  }

  #countParsed(family: string): void {
    if (family !== this.#family) {
      this.#family = family;
      this.#parsed = this.#parts.metrics.parsedCell(family.slice(0, 32));
    }
    this.#parsed.value++;
  }

  /** Spools a record unless its request id was seen recently; false when it was a duplicate. */
  admit(record: AccessRecord): boolean {
    const { requestIds, spool, metrics } = this.#parts;
    if (!requestIds.remember(record.site, record.requestId)) {
      metrics.drop('duplicate');
      return false;
    }
    spool.append(record);
    this.#accepted.value++;
    return true;
  }

  /** Counts requests handed in as fields (lines are counted by `prepareLine`). */
  received(listener: ListenerKind, count: number): void {
    this.#received[listener].value += count;
  }

  /** Counts records dropped outside the pipeline (a listener's own reasons). */
  drop(reason: DropReason, count = 1): void {
    this.#parts.metrics.drop(reason, count);
  }

  /** The mark to give {@link durable} before admitting the records to wait for. */
  mark(): number {
    return this.#parts.spool.mark;
  }

  /**
   * Resolves when every record admitted since `after` (a {@link mark}) is on disk; rejects with
   * `HEARTH_ERR_INTAKE_SPOOL` if any of them was lost.
   */
  durable(after: number): Promise<void> {
    return this.#parts.spool.commit(after);
  }
}
