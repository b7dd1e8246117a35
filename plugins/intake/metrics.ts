/**
 * The intake plugin's Prometheus metrics, registered in the host's registry. Per-line counts are
 * kept as plain numbers and handed to prom-client when scraped (a labelled `inc` per line would
 * cost a fifth of a core at 200k lines/s); gauges read the live state (spool size, queue depth,
 * connections) when scraped.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DROP_REASONS, type DropReason } from './records/rawAccess.js';

/** What the gauges read when scraped. */
export interface IntakeState {
  spoolBytes(): number;
  queuedBatches(): number;
  queuedRecords(): number;
  tcpConnections(): number;
}

/** One label value's count since the last scrape; hot paths add to `value` directly. */
export interface CountCell {
  value: number;
}

/** Counting calls, cheap enough for every line. */
export interface IntakeMetrics {
  /** The cell counting lines received by a listener (`udp`, `tcp`, `http`, `service`). */
  receivedCell(listener: string): CountCell;
  /** The cell counting requests parsed, by log family (`bunny`, `nginx`, `caddy`, or a plugin's name). */
  parsedCell(family: string): CountCell;
  /** The cell counting records appended to the spool. */
  readonly acceptedCell: CountCell;
  drop(reason: DropReason, count?: number): void;
  /** A batch stored: rows inserted and seconds taken. */
  inserted(rows: number, seconds: number): void;
  insertFailed(): void;
  connectionRejected(reason: 'not_allowed' | 'limit'): void;
  /** An open TCP connection closed by the host: silent past the idle timeout, or one frame slower than the frame timeout. */
  connectionClosed(reason: 'idle' | 'slow_frame'): void;
}

/** Counts kept by label value until the next scrape. */
class Tally {
  readonly #cells = new Map<string, CountCell>();

  cell(key: string): CountCell {
    let cell = this.#cells.get(key);
    if (!cell) this.#cells.set(key, (cell = { value: 0 }));
    return cell;
  }

  flush(counter: Counter<string>, label: string | undefined): void {
    for (const [key, cell] of this.#cells) {
      if (cell.value === 0) continue;
      if (label) counter.inc({ [label]: key }, cell.value);
      else counter.inc(cell.value);
      cell.value = 0;
    }
  }
}

function tallied(registry: Registry, name: string, help: string, label: string | undefined, initial: readonly string[]): Tally {
  const tally = new Tally();
  const counter = new Counter({
    name,
    help,
    labelNames: label ? [label] : [],
    registers: [registry],
    collect() {
      tally.flush(this, label);
    },
  });
  // Every known label value shows from the first scrape, so rate() and alerts see a 0, not a gap.
  for (const key of initial) if (label) counter.inc({ [label]: key }, 0);
  return tally;
}

/** Creates the metrics in `registry`; `state` feeds the gauges. */
export function createIntakeMetrics(registry: Registry, state: IntakeState): IntakeMetrics {
  const registers = [registry];
  const received = tallied(registry, 'hearth_intake_lines_received_total', 'Log lines received, by listener.', 'listener', []);
  const parsed = tallied(registry, 'hearth_intake_records_parsed_total', 'Lines parsed into requests, by log family (bunny, nginx, caddy, or the plugin handing them in).', 'family', []);
  const dropped = tallied(registry, 'hearth_intake_records_dropped_total', 'Lines or records not stored, by reason.', 'reason', DROP_REASONS);
  const accepted = tallied(registry, 'hearth_intake_records_accepted_total', 'Records validated and appended to the spool.', undefined, []);
  const inserted = new Counter({ name: 'hearth_intake_records_inserted_total', help: 'Records stored in the analytics store.', registers });
  const insertFailures = new Counter({ name: 'hearth_intake_insert_failures_total', help: 'Batch inserts that failed and are retried.', registers });
  const rejected = new Counter({ name: 'hearth_intake_tcp_connections_rejected_total', help: 'TCP connections refused, by reason (not_allowed, limit).', labelNames: ['reason'], registers });
  const closed = new Counter({ name: 'hearth_intake_tcp_connections_closed_total', help: 'Open TCP connections the host closed, by reason (idle, slow_frame).', labelNames: ['reason'], registers });
  const batchRows = new Histogram({ name: 'hearth_intake_batch_rows', help: 'Rows per batch stored.', buckets: [10, 100, 1000, 5000, 10_000, 25_000, 50_000, 100_000], registers });
  const insertSeconds = new Histogram({
    name: 'hearth_intake_insert_duration_seconds',
    help: 'Time to store one batch.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const gauge = (name: string, help: string, read: () => number): void =>
    void new Gauge({ name, help, registers, collect() {
      this.set(read());
    } });
  gauge('hearth_intake_spool_bytes', 'Bytes of spool files not yet stored.', state.spoolBytes);
  gauge('hearth_intake_queue_batches', 'Sealed batches waiting to be stored.', state.queuedBatches);
  gauge('hearth_intake_queue_records', 'Records accepted and not yet stored.', state.queuedRecords);
  gauge('hearth_intake_tcp_connections', 'Open TCP connections.', state.tcpConnections);
  for (const reason of ['not_allowed', 'limit']) rejected.inc({ reason }, 0);
  for (const reason of ['idle', 'slow_frame']) closed.inc({ reason }, 0);
  return {
    receivedCell: (listener) => received.cell(listener),
    parsedCell: (family) => parsed.cell(family),
    acceptedCell: accepted.cell(''),
    drop: (reason, count = 1) => void (dropped.cell(reason).value += count),
    inserted(rows, seconds) {
      inserted.inc(rows);
      batchRows.observe(rows);
      insertSeconds.observe(seconds);
    },
    insertFailed: () => insertFailures.inc(),
    connectionRejected: (reason) => rejected.inc({ reason }),
    connectionClosed: (reason) => closed.inc({ reason }),
  };
}
