/**
 * git's pkt-line framing: four hex digits giving the packet's total length (header included),
 * then the payload. `0000` is a flush packet, `0001` a delimiter (protocol v2). A length of 1–3 or
 * over {@link MAX_PKT_LENGTH}, a non-hex header, or input that ends inside a packet is refused —
 * the reader never trusts a length it has not checked.
 */
import { HearthError } from '../../../core/errors/HearthError.js';

/** Largest packet git allows, header included (LARGE_PACKET_MAX). */
export const MAX_PKT_LENGTH = 65520;
/** Largest payload of one packet. */
export const MAX_PKT_PAYLOAD = MAX_PKT_LENGTH - 4;
/** The flush packet. */
export const FLUSH_PKT: Buffer = Buffer.from('0000', 'ascii');

/** One decoded packet. */
export type PktLine =
  | { readonly kind: 'data'; readonly payload: Buffer }
  | { readonly kind: 'flush' }
  | { readonly kind: 'delim' };

/** Frames `payload` (a string is UTF-8) as one data packet. */
export function encodePktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (body.length > MAX_PKT_PAYLOAD) {
    throw new RangeError(`a pkt-line payload is at most ${MAX_PKT_PAYLOAD} bytes; got ${body.length}`);
  }
  const header = Buffer.from((body.length + 4).toString(16).padStart(4, '0'), 'ascii');
  return Buffer.concat([header, body]);
}

/** A data packet's payload as text, without its trailing newline (git ends most lines with one). */
export function pktText(line: PktLine): string {
  if (line.kind !== 'data') return '';
  const text = line.payload.toString('utf8');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/**
 * Reads the header at `offset` of `buffer`: the packet's total length, 0 for flush, 1 for delim.
 * Throws HEARTH_ERR_GIT_PROTOCOL for a header that is not four hex digits or lies about its length.
 */
export function readPktHeader(buffer: Buffer, offset: number): number {
  const header = buffer.toString('latin1', offset, offset + 4);
  if (!/^[0-9a-fA-F]{4}$/.test(header)) {
    throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `pkt-line header ${JSON.stringify(header)} is not four hex digits; the request is not git's smart-HTTP protocol`);
  }
  const length = Number.parseInt(header, 16);
  if (length === 0 || length === 1) return length;
  if (length < 4 || length > MAX_PKT_LENGTH) {
    throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `pkt-line length ${header} is impossible (a packet is 4 to ${MAX_PKT_LENGTH} bytes, or 0000/0001)`);
  }
  return length;
}

/**
 * Decodes a whole buffer of packets. Throws HEARTH_ERR_GIT_PROTOCOL when a length lies or the
 * buffer ends inside a packet.
 */
export function decodePktLines(buffer: Buffer): PktLine[] {
  const lines: PktLine[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    if (buffer.length - offset < 4) throw truncated(buffer.length - offset);
    const length = readPktHeader(buffer, offset);
    if (length === 0 || length === 1) {
      lines.push(length === 0 ? { kind: 'flush' } : { kind: 'delim' });
      offset += 4;
      continue;
    }
    if (offset + length > buffer.length) throw truncated(buffer.length - offset, length);
    lines.push({ kind: 'data', payload: buffer.subarray(offset + 4, offset + length) });
    offset += length;
  }
  return lines;
}

/**
 * Reads packets one at a time from a byte stream, then hands over whatever follows them (a pack)
 * through {@link PktLineReader.rest}. Never buffers more than one packet plus one chunk.
 */
export class PktLineReader {
  readonly #source: AsyncIterator<Buffer>;
  #buffer: Buffer = Buffer.alloc(0);
  #ended = false;

  constructor(source: AsyncIterable<Buffer | Uint8Array>) {
    const iterator = source[Symbol.asyncIterator]();
    this.#source = {
      next: async () => {
        const step = await iterator.next();
        return step.done ? step : { done: false, value: Buffer.from(step.value) };
      },
    };
  }

  /** The next packet, or `undefined` when the input ended cleanly between packets. */
  async read(): Promise<PktLine | undefined> {
    if (!(await this.#fill(4))) {
      if (this.#buffer.length === 0) return undefined;
      throw truncated(this.#buffer.length);
    }
    const length = readPktHeader(this.#buffer, 0);
    if (length === 0 || length === 1) {
      this.#buffer = this.#buffer.subarray(4);
      return length === 0 ? { kind: 'flush' } : { kind: 'delim' };
    }
    if (!(await this.#fill(length))) throw truncated(this.#buffer.length, length);
    const payload = Buffer.from(this.#buffer.subarray(4, length));
    this.#buffer = this.#buffer.subarray(length);
    return { kind: 'data', payload };
  }

  /** The bytes after the last packet read: what is buffered, then the rest of the input. */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.#buffer.length > 0) yield this.#buffer;
    this.#buffer = Buffer.alloc(0);
    while (!this.#ended) {
      const step = await this.#source.next();
      if (step.done) this.#ended = true;
      else if (step.value.length > 0) yield step.value;
    }
  }

  /**
   * Reads and discards the rest of the input, so a refusal can still be answered on the same
   * connection. Gives up after `maxBytes` and returns false (the caller should close the connection).
   */
  async drain(maxBytes: number): Promise<boolean> {
    let discarded = this.#buffer.length;
    this.#buffer = Buffer.alloc(0);
    while (!this.#ended) {
      const step = await this.#source.next();
      if (step.done) this.#ended = true;
      else discarded += step.value.length;
      if (discarded > maxBytes) return false;
    }
    return true;
  }

  async #fill(wanted: number): Promise<boolean> {
    while (this.#buffer.length < wanted && !this.#ended) {
      const step = await this.#source.next();
      if (step.done) this.#ended = true;
      else this.#buffer = this.#buffer.length === 0 ? step.value : Buffer.concat([this.#buffer, step.value]);
    }
    return this.#buffer.length >= wanted;
  }
}

function truncated(have: number, wanted?: number): HearthError {
  const detail = wanted === undefined ? `${have} byte(s) of a packet header` : `${have} of the ${wanted} bytes its header announced`;
  return new HearthError('HEARTH_ERR_GIT_PROTOCOL', `the request ended inside a pkt-line (${detail}); the client sent a truncated body`);
}
