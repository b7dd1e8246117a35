/**
 * The UDP syslog listener: one datagram is one message (several if it holds newline-separated
 * lines). UDP has no flow control, so while the pipeline is saturated its lines are dropped and
 * counted (`backpressure`), as are datagrams from addresses outside the allowlist and lines over
 * the line limit (each line of a datagram is held to it on its own, without its line ending).
 * The socket asks the kernel for a large receive buffer to ride out bursts.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { IntakePipeline, LineSource } from '../delivery/intakePipeline.js';
import type { SourceAllowlist } from './sourceAllowlist.js';

const LF = 0x0a;
const CR = 0x0d;

/** 8 MiB of kernel receive buffer (capped by net.core.rmem_max): a second of a busy zone's bursts. */
const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

/** What a UDP listener needs. */
export interface UdpListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly source: LineSource;
  readonly allow: SourceAllowlist;
  readonly maxLineBytes: number;
  readonly pipeline: IntakePipeline;
  readonly logger: Logger;
}

/** A bound listener. */
export interface BoundListener {
  readonly protocol: 'udp' | 'tcp';
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Binds a UDP listener. */
export async function listenUdp(options: UdpListenerOptions): Promise<BoundListener> {
  const { pipeline, source, allow, maxLineBytes, logger } = options;
  const socket: Socket = createSocket({ type: isIPv6(options.host) ? 'udp6' : 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  socket.on('message', function onDatagram(message, remote) {
    // A datagram from outside the allowlist is refused whole: one line received and dropped.
    if (!allow.allows(remote.address)) {
      pipeline.received('udp', 1);
      pipeline.drop('source_not_allowed');
      return;
    }
    // The datagram itself needs no bound of its own: the OS delivers none over 64 KiB.
    for (let start = 0; start < message.length; ) {
      const lf = message.indexOf(LF, start);
      const next = lf < 0 ? message.length : lf + 1;
      let end = lf < 0 ? message.length : lf;
      if (end > start && message[end - 1] === CR) end--;
      if (end > start) {
        if (end - start > maxLineBytes || pipeline.saturated) {
          pipeline.received('udp', 1);
          pipeline.drop(end - start > maxLineBytes ? 'too_long' : 'backpressure');
        } else {
          pipeline.takeFrame(message, start, end, source);
        }
      }
      start = next;
    }
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void =>
      reject(new HearthError('HEARTH_ERR_INTAKE_LISTEN', `cannot listen on udp ${options.host}:${options.port}: ${error.message}; pick a free port`, { cause: error }));
    socket.once('error', failed);
    socket.bind(options.port, options.host, () => {
      socket.off('error', failed);
      resolve();
    });
  });
  socket.on('error', (error) => logger.warn({ err: error }, 'udp listener error'));
  const port = socket.address().port;
  logger.info({ protocol: 'udp', host: options.host, port, format: source.format }, 'intake listening');
  return {
    protocol: 'udp',
    host: options.host,
    port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
