/**
 * Batches of access-log records as their sinks send them: the records themselves for the intake
 * plugin of the same host, or Bunny lines already encoded as bytes for an intake over the network.
 * A line batch holds no string per record — each line is written into one buffer as the request
 * ends — so a busy edge does not keep thousands of strings alive for the garbage collector to
 * move, and a send is one write of bytes that are ready.
 */
import type { EdgeAccessRecord } from './accessRecord.js';
import { bunnyLine } from './bunnyLine.js';

/** What the queue does with every kind of batch. */
export interface LogBatch {
  /** Records in the batch. */
  readonly records: number;
  /** Adds a record, encoded as the batch's sink sends it. */
  add(record: EdgeAccessRecord): void;
}

/** Records kept as they are (for the in-process ingest service). */
export class RecordBatch implements LogBatch {
  readonly items: EdgeAccessRecord[] = [];

  get records(): number {
    return this.items.length;
  }

  add(record: EdgeAccessRecord): void {
    this.items.push(record);
  }
}

/** Bytes a line batch starts with: a few hundred lines; it doubles when full. */
const INITIAL_LINE_BYTES = 64 * 1024;

/** Bunny lines, each ended by `\n`, as UTF-8 bytes in one growing buffer. */
export class LineBatch implements LogBatch {
  #buffer = Buffer.allocUnsafe(INITIAL_LINE_BYTES);
  #used = 0;
  #records = 0;

  get records(): number {
    return this.#records;
  }

  /** The encoded lines (a view: valid until the next `add`). */
  get bytes(): Buffer {
    return this.#buffer.subarray(0, this.#used);
  }

  add(record: EdgeAccessRecord): void {
    const line = bunnyLine(record);
    // UTF-8 needs at most 3 bytes per UTF-16 unit, plus the newline.
    const room = line.length * 3 + 1;
    if (this.#buffer.length - this.#used < room) {
      const larger = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#used + room));
      this.#buffer.copy(larger, 0, 0, this.#used);
      this.#buffer = larger;
    }
    this.#used += this.#buffer.write(line, this.#used, 'utf8');
    this.#buffer[this.#used++] = 0x0a;
    this.#records++;
  }
}
