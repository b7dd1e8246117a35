/**
 * Where access-log batches go: the intake plugin of the same host, in-process (`services.ingest`),
 * or an intake listener elsewhere over TCP (a persistent connection, newline-framed Bunny lines,
 * reconnecting with back-off) or UDP (lines packed into datagrams that fit any path MTU).
 * A sink's `send` rejects when the batch was not handed over; the queue counts and retries it.
 */
import { createConnection, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { IngestService } from '../../intake/index.js';
import { LineBatch, RecordBatch, type LogBatch } from './logBatches.js';

/**
 * A destination for batches of records. A record is added to a batch (encoded as the sink wants
 * it) when its request ends, so only the encoded form waits in the queue.
 */
export interface AccessLogSink<B extends LogBatch = LogBatch> {
  /** `ingest`, `tcp` or `udp`: the metrics label. */
  readonly name: string;
  /** A new, empty batch. */
  newBatch(): B;
  send(batch: B): Promise<void>;
  close(): Promise<void>;
}

/** Milliseconds a TCP connect or write may take before the batch is failed and the connection reset. */
const NETWORK_TIMEOUT_MS = 10_000;

/** Hands batches to the intake plugin of this host. */
export function ingestSink(ingest: IngestService): AccessLogSink<RecordBatch> {
  return {
    name: 'ingest',
    newBatch: () => new RecordBatch(),
    async send(batch) {
      await ingest.submit(batch.items);
    },
    async close() {},
  };
}

/** A `host:port` address split (brackets removed from IPv6). */
export function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(colon + 1)) };
}

/** Sends Bunny lines over one TCP connection, reconnecting with exponential back-off. */
export class TcpLogSink implements AccessLogSink<LineBatch> {
  readonly name = 'tcp';
  readonly #host: string;
  readonly #port: number;
  readonly #backoff: { readonly initialMs: number; readonly maxMs: number };
  #socket: Socket | undefined;
  /** Sockets already reset: 'error' and 'close' both report one failure, which must back off once. */
  readonly #dead = new WeakSet<Socket>();
  #delayMs = 0;
  #retryAt = 0;
  #closed = false;

  constructor(address: string, backoff: { readonly initialMs: number; readonly maxMs: number }) {
    ({ host: this.#host, port: this.#port } = splitAddress(address));
    this.#backoff = backoff;
  }

  newBatch(): LineBatch {
    return new LineBatch();
  }

  async send(batch: LineBatch): Promise<void> {
    const socket = await this.#connected();
    const payload = batch.bytes;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`writing to ${this.#host}:${this.#port} took over ${NETWORK_TIMEOUT_MS} ms`)), NETWORK_TIMEOUT_MS);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        this.#reset(socket);
        reject(error);
      };
      socket.write(payload, (error) => {
        if (error) fail(error);
        else {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  #connected(): Promise<Socket> {
    if (this.#closed) return Promise.reject(new Error('the sink is closed'));
    if (this.#socket !== undefined && !this.#socket.destroyed) return Promise.resolve(this.#socket);
    if (Date.now() < this.#retryAt) return Promise.reject(new Error(`intake ${this.#host}:${this.#port} is unreachable; retrying later`));
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: this.#host, port: this.#port });
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      socket.setTimeout(NETWORK_TIMEOUT_MS, () => socket.destroy(new Error(`connecting to ${this.#host}:${this.#port} timed out`)));
      socket.once('connect', () => {
        socket.setTimeout(0);
        this.#socket = socket;
        this.#delayMs = 0;
        resolve(socket);
      });
      socket.on('error', (error) => {
        this.#reset(socket);
        reject(error);
      });
      socket.on('close', () => this.#reset(socket));
      // Intake sends nothing back; reading keeps the socket's state current.
      socket.resume();
    });
  }

  #reset(socket: Socket): void {
    if (this.#dead.has(socket)) return;
    this.#dead.add(socket);
    if (!socket.destroyed) socket.destroy();
    if (this.#socket === socket || this.#socket === undefined) {
      this.#socket = undefined;
      this.#delayMs = this.#delayMs === 0 ? this.#backoff.initialMs : Math.min(this.#delayMs * 2, this.#backoff.maxMs);
      this.#retryAt = Date.now() + this.#delayMs;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 1_000);
      socket.end(() => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Sends Bunny lines in UDP datagrams of at most `datagramBytes` (a longer line goes alone). */
export class UdpLogSink implements AccessLogSink<LineBatch> {
  readonly name = 'udp';
  readonly #host: string;
  readonly #port: number;
  readonly #datagramBytes: number;
  #socket: UdpSocket | undefined;

  constructor(address: string, datagramBytes: number) {
    ({ host: this.#host, port: this.#port } = splitAddress(address));
    this.#datagramBytes = datagramBytes;
  }

  /** The socket, opened on first use (setup opens nothing). */
  #open(): UdpSocket {
    if (this.#socket === undefined) {
      this.#socket = createSocket(isIP(this.#host) === 6 ? 'udp6' : 'udp4');
      // Errors surface through each send's callback; this keeps a stray one from crashing the host.
      this.#socket.on('error', () => undefined);
      this.#socket.unref();
    }
    return this.#socket;
  }

  newBatch(): LineBatch {
    return new LineBatch();
  }

  /** Sends whole lines, as many as fit in each datagram (without the last newline). */
  async send(batch: LineBatch): Promise<void> {
    const bytes = batch.bytes;
    let start = 0;
    while (start < bytes.length) {
      // The datagram ends at the last line end that fits; a line longer than a datagram goes alone.
      let end = bytes.lastIndexOf(0x0a, Math.min(bytes.length, start + this.#datagramBytes + 1) - 1);
      if (end < start) end = bytes.indexOf(0x0a, start);
      await this.#sendOne(bytes.subarray(start, end));
      start = end + 1;
    }
  }

  #sendOne(datagram: Buffer): Promise<void> {
    const socket = this.#open();
    return new Promise((resolve, reject) => socket.send(datagram, this.#port, this.#host, (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
