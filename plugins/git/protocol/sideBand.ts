/**
 * The response channel of receive-pack and upload-pack. With `side-band-64k` negotiated, data
 * (the report or the pack) goes in band 1 packets, progress text in band 2 (git prints it as
 * `remote: ...`), a fatal message in band 3. Without it, data is written as-is and progress is
 * dropped, as git's own server does.
 */
import { PassThrough } from 'node:stream';
import { encodePktLine, FLUSH_PKT, MAX_PKT_PAYLOAD } from './pktLine.js';

/** Largest side-band payload: one packet minus the band byte. */
const MAX_BAND_PAYLOAD = MAX_PKT_PAYLOAD - 1;

/** Writes a git response, multiplexed when the client asked for side-band. */
export class SideBandWriter {
  /** The response body; hand it to the HTTP reply. */
  readonly stream = new PassThrough();
  readonly #sideBand: boolean;
  #partialLine = '';

  constructor(sideBand: boolean) {
    this.#sideBand = sideBand;
  }

  /** True when progress reaches the client. */
  get sideBand(): boolean {
    return this.#sideBand;
  }

  /** Writes response data: band 1, or raw without side-band. */
  data(bytes: Buffer): void {
    if (!this.#sideBand) {
      this.stream.write(bytes);
      return;
    }
    this.#band(1, bytes);
  }

  /**
   * Writes response data and waits while the client reads slower than the server writes.
   * Throws when the client went away, so a long response stops being produced.
   */
  async dataWhenReady(bytes: Buffer): Promise<void> {
    this.data(bytes);
    if (this.stream.destroyed) throw new Error('the client closed the connection');
    if (!this.stream.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
    if (this.stream.destroyed) throw new Error('the client closed the connection');
  }

  /** Writes a fatal error (band 3; git prints it as `remote error:`) and ends the response. */
  fail(message: string): void {
    if (this.#sideBand) this.#band(3, Buffer.from(`${message.replace(/[\r\n]+/g, ' ')}\n`, 'utf8'));
    this.stream.end();
  }

  /** Writes complete lines of progress text (band 2). Text without a final newline waits for the rest. */
  progress(text: string): void {
    if (!this.#sideBand) return;
    const combined = this.#partialLine + text;
    const cut = combined.lastIndexOf('\n');
    this.#partialLine = cut < 0 ? combined : combined.slice(cut + 1);
    if (cut >= 0) this.#band(2, Buffer.from(combined.slice(0, cut + 1), 'utf8'));
  }

  /** Writes one message line (band 2); git shows it as `remote: <message>`. */
  message(line: string): void {
    this.progress(`${line.replace(/[\r\n]+/g, ' ')}\n`);
  }

  /** Ends the response: any unfinished progress line, the closing flush (side-band only), end. */
  end(): void {
    if (this.#partialLine) this.progress('\n');
    if (this.#sideBand) this.stream.write(FLUSH_PKT);
    this.stream.end();
  }

  #band(band: 1 | 2 | 3, bytes: Buffer): void {
    for (let offset = 0; offset < bytes.length; offset += MAX_BAND_PAYLOAD) {
      const chunk = bytes.subarray(offset, offset + MAX_BAND_PAYLOAD);
      this.stream.write(encodePktLine(Buffer.concat([Buffer.of(band), chunk])));
    }
  }
}
