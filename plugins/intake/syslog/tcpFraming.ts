/**
 * Splits a TCP byte stream into syslog frames per RFC 6587: octet counting (`LEN SP <PRI>…`, the
 * length in bytes) or non-transparent framing (a frame ends at LF; a CR before it is dropped). Each
 * frame is told apart by its first bytes, so a sender may mix both. A frame longer than the limit
 * (a line counted without its CR LF) is skipped whole — up to its LF, or its counted length — and
 * reported once.
 */

/** What the framer reports. */
export interface FrameSink {
  /** A frame: the bytes `data[start..end)`, valid only during the call (a CR before the LF is cut off). */
  frame(data: Buffer, start: number, end: number): void;
  /** A frame over the limit was skipped. */
  oversize(): void;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const LESS_THAN = 0x3c;
/** Digits an octet count may have (a billion bytes is far over any limit). */
const MAX_COUNT_DIGITS = 10;

const EMPTY = Buffer.alloc(0);

/** A stateful splitter for one connection. */
export class TcpFramer {
  readonly #maxFrameBytes: number;
  readonly #sink: FrameSink;
  #buffer: Buffer = EMPTY;
  /** Bytes still to throw away from an oversize octet-counted frame. */
  #skipBytes = 0;
  /** True while throwing away an oversize LF-terminated frame. */
  #skipLine = false;
  /** Frames finished so far (taken, skipped or blank). */
  #framesEnded = 0;

  constructor(maxFrameBytes: number, sink: FrameSink) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#sink = sink;
  }

  /** Frames finished so far, taken or skipped: when it moves, the frame now arriving began anew. */
  get framesEnded(): number {
    return this.#framesEnded;
  }

  /** True while a frame has begun to arrive and is not finished (kept or being skipped). */
  get pending(): boolean {
    return this.#buffer.length > 0 || this.#skipLine || this.#skipBytes > 0;
  }

  /** Feeds bytes received. */
  push(chunk: Buffer): void {
    if (this.#buffer.length === 0) {
      this.#keep(chunk, this.#scan(chunk, 0));
      return;
    }
    // A frame begun in an earlier read is finished with as few bytes of this one as it can take
    // (a frame is at most the limit plus its count); the rest of the read is split where it lies
    // instead of being copied behind the earlier bytes (a fresh 64 KiB per read to collect).
    const lead = this.#buffer.length;
    const head = Math.min(chunk.length, this.#maxFrameBytes + MAX_COUNT_DIGITS + 2);
    const joined = Buffer.concat([this.#buffer, chunk.subarray(0, head)]);
    this.#buffer = EMPTY;
    const stop = this.#scan(joined, 0);
    if (head === chunk.length) this.#keep(joined, stop);
    else if (stop >= lead) this.#keep(chunk, this.#scan(chunk, stop - lead));
    else {
      // Not reached (a frame that long is over the limit and being skipped), but if it were: the
      // rest of the read goes behind the unfinished frame.
      const rest = Buffer.concat([joined.subarray(stop), chunk.subarray(head)]);
      this.#keep(rest, this.#scan(rest, 0));
    }
  }

  /** Keeps the unfinished frame from `at` for the next read (a copy: `data` may be the socket's). */
  #keep(data: Buffer, at: number): void {
    this.#buffer = at >= data.length ? EMPTY : Buffer.from(data.subarray(at));
  }

  /** Splits the frames of `data` from `from`; returns where the unfinished frame (if any) starts. */
  #scan(data: Buffer, from: number): number {
    let at = from;
    if (this.#skipBytes > 0) {
      const skipped = Math.min(this.#skipBytes, data.length - at);
      this.#skipBytes -= skipped;
      at += skipped;
      if (this.#skipBytes === 0) this.#framesEnded++;
    }
    while (at < data.length) {
      if (this.#skipLine) {
        const lf = data.indexOf(LF, at);
        if (lf < 0) {
          at = data.length;
          break;
        }
        this.#skipLine = false;
        this.#framesEnded++;
        at = lf + 1;
        continue;
      }
      const counted = this.#octetCount(data, at);
      if (counted === 'incomplete') break;
      if (counted) {
        if (counted.length > this.#maxFrameBytes) {
          this.#sink.oversize();
          const available = data.length - counted.start;
          this.#skipBytes = Math.max(0, counted.length - available);
          if (this.#skipBytes === 0) this.#framesEnded++;
          at = Math.min(data.length, counted.start + counted.length);
          continue;
        }
        if (data.length - counted.start < counted.length) break;
        this.#emit(data, counted.start, counted.start + counted.length);
        this.#framesEnded++;
        at = counted.start + counted.length;
        continue;
      }
      const lf = data.indexOf(LF, at);
      if (lf < 0) {
        // The limit is for the line without its line ending: an unfinished line may be one byte
        // over it when that byte is the CR of its CRLF.
        const unfinished = data.length - at;
        if (unfinished > this.#maxFrameBytes && (unfinished > this.#maxFrameBytes + 1 || data[data.length - 1] !== CR)) {
          this.#sink.oversize();
          this.#skipLine = true;
          at = data.length;
        }
        break;
      }
      let stop = lf;
      if (stop > at && data[stop - 1] === CR) stop--;
      if (stop - at > this.#maxFrameBytes) this.#sink.oversize();
      else if (stop > at) this.#sink.frame(data, at, stop);
      this.#framesEnded++;
      at = lf + 1;
    }
    return at;
  }

  /** The connection ended: a last frame without its LF still counts. */
  end(): void {
    if (this.#buffer.length > 0 && !this.#skipLine && this.#skipBytes === 0) this.#emit(this.#buffer, 0, this.#buffer.length);
    this.#buffer = EMPTY;
  }

  /** An octet-counting prefix at `at`: its frame's start and length, none, or not yet complete. */
  #octetCount(data: Buffer, at: number): { start: number; length: number } | undefined | 'incomplete' {
    const first = data[at]!;
    if (first < 0x31 || first > 0x39) return undefined;
    let index = at + 1;
    while (index < data.length && index - at < MAX_COUNT_DIGITS && data[index]! >= 0x30 && data[index]! <= 0x39) index++;
    // Digits up to the end of what has arrived (or digits and a space) cannot be told apart yet.
    if (index === data.length) return index - at < MAX_COUNT_DIGITS ? 'incomplete' : undefined;
    if (data[index] !== SPACE) return undefined;
    if (index + 1 === data.length) return 'incomplete';
    if (data[index + 1] !== LESS_THAN) return undefined;
    return { start: index + 1, length: Number(data.toString('latin1', at, index)) };
  }

  #emit(data: Buffer, start: number, end: number): void {
    let stop = end;
    if (stop > start && data[stop - 1] === CR) stop--;
    if (stop > start) this.#sink.frame(data, start, stop);
  }
}
