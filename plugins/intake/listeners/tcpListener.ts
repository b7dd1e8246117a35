/**
 * The TCP syslog listener (RFC 6587 framing, see tcpFraming.ts). Each connection is checked
 * against the allowlist, counted against the connection limit, closed after an idle timeout, and
 * closed when one frame takes longer than the frame timeout to arrive (a sender trickling a line
 * that never ends would otherwise hold its slot for ever). While the pipeline is saturated a
 * connection's reads are paused — TCP's own flow control then slows the sender — and resumed when
 * the spool catches up, so nothing sent over TCP is dropped for lack of room; neither timeout
 * counts the time the host kept a connection paused. On close, connections get a short grace to
 * deliver what is in flight.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { IntakePipeline, LineSource } from '../delivery/intakePipeline.js';
import type { IntakeMetrics } from '../metrics.js';
import { TcpFramer } from '../syslog/tcpFraming.js';
import type { SourceAllowlist } from './sourceAllowlist.js';
import type { BoundListener } from './udpListener.js';

/** Milliseconds a connection may keep delivering after the listener starts to close. */
const CLOSE_GRACE_MS = 500;
/** The sweep for slow frames runs every tenth of the frame timeout, but at most every 250 ms and at least every 30 s. */
const SWEEP_MIN_MS = 250;
const SWEEP_MAX_MS = 30_000;

/** What a TCP listener needs. */
export interface TcpListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly source: LineSource;
  readonly allow: SourceAllowlist;
  readonly maxLineBytes: number;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  /** Longest one frame may take to arrive once begun; the idle timeout when not given. */
  readonly frameTimeoutMs?: number;
  readonly pipeline: IntakePipeline;
  readonly metrics: IntakeMetrics;
  readonly logger: Logger;
}

/** A bound TCP listener, with its open connection count. */
export interface BoundTcpListener extends BoundListener {
  connections(): number;
  /** Connections closed so far because one frame took longer than the frame timeout to arrive. */
  slowFramesClosed(): number;
}

/** One open connection. */
interface Connection {
  readonly socket: Socket;
  /** `Date.now()` when the frame still arriving began (paused time left out); 0 while none is. */
  frameStartedAt: number;
  /** `Date.now()` when the host paused its reads for backpressure; 0 while reading. */
  pausedAt: number;
}

/** Binds a TCP listener. */
export async function listenTcp(options: TcpListenerOptions): Promise<BoundTcpListener> {
  const { pipeline, source, allow, metrics, logger, idleTimeoutMs } = options;
  const frameTimeoutMs = options.frameTimeoutMs ?? idleTimeoutMs;
  const connections = new Set<Connection>();
  const paused = new Set<Connection>();
  let slowFramesClosed = 0;

  // The host's own pauses are not the sender's silence or slowness: while paused, the idle timer is
  // off and the frame's clock stops; both go on from where they were on resume.
  const pause = (connection: Connection): void => {
    connection.socket.pause();
    connection.socket.setTimeout(0);
    connection.pausedAt = Date.now();
    paused.add(connection);
  };
  const resumeAll = (): void => {
    const now = Date.now();
    for (const connection of paused) {
      if (connection.frameStartedAt !== 0) connection.frameStartedAt += now - connection.pausedAt;
      connection.pausedAt = 0;
      connection.socket.setTimeout(idleTimeoutMs);
      connection.socket.resume();
    }
    paused.clear();
  };
  const unsubscribe = pipeline.onRelief(resumeAll);

  const closeSlow = (connection: Connection, now: number): void => {
    slowFramesClosed++;
    metrics.connectionClosed('slow_frame');
    logger.warn({ remote: connection.socket.remoteAddress, frameMs: now - connection.frameStartedAt, frameTimeoutMs }, 'tcp connection closed: one frame took longer than the frame timeout');
    connection.socket.destroy();
  };
  // Data events catch a frame that trickles in; the sweep one that stopped half-way.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) {
      if (connection.frameStartedAt !== 0 && connection.pausedAt === 0 && now - connection.frameStartedAt > frameTimeoutMs) closeSlow(connection, now);
    }
  }, Math.min(SWEEP_MAX_MS, Math.max(SWEEP_MIN_MS, Math.floor(frameTimeoutMs / 10))));
  sweep.unref();

  const server: Server = createServer(function onConnection(socket) {
    if (!allow.allows(socket.remoteAddress ?? '')) {
      metrics.connectionRejected('not_allowed');
      socket.destroy();
      return;
    }
    const framer = new TcpFramer(options.maxLineBytes, {
      frame: (data, start, end) => pipeline.takeFrame(data, start, end, source),
      oversize: () => {
        pipeline.received(source.listener, 1);
        pipeline.drop('too_long');
      },
    });
    const connection: Connection = { socket, frameStartedAt: 0, pausedAt: 0 };
    connections.add(connection);
    socket.setTimeout(idleTimeoutMs);
    socket.on('timeout', () => {
      metrics.connectionClosed('idle');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      const ended = framer.framesEnded;
      framer.push(chunk);
      // Once per read, not per line: when the frame left unfinished began, and whether it is late.
      if (framer.pending) {
        const now = Date.now();
        if (connection.frameStartedAt === 0 || framer.framesEnded !== ended) connection.frameStartedAt = now;
        else if (now - connection.frameStartedAt > frameTimeoutMs) {
          closeSlow(connection, now);
          return;
        }
      } else connection.frameStartedAt = 0;
      if (pipeline.saturated && connection.pausedAt === 0) pause(connection);
    });
    socket.on('end', () => framer.end());
    socket.on('error', (error) => logger.debug({ err: error }, 'tcp connection error'));
    socket.on('close', () => {
      connections.delete(connection);
      paused.delete(connection);
    });
  });
  server.maxConnections = options.maxConnections;
  server.on('drop', () => metrics.connectionRejected('limit'));

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void =>
      reject(new HearthError('HEARTH_ERR_INTAKE_LISTEN', `cannot listen on tcp ${options.host}:${options.port}: ${error.message}; pick a free port`, { cause: error }));
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  server.on('error', (error) => logger.warn({ err: error }, 'tcp listener error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info({ protocol: 'tcp', host: options.host, port, format: source.format }, 'intake listening');

  return {
    protocol: 'tcp',
    host: options.host,
    port,
    connections: () => connections.size,
    slowFramesClosed: () => slowFramesClosed,
    async close() {
      unsubscribe();
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      resumeAll();
      const open = [...connections].map((connection) => connection.socket);
      for (const socket of open) socket.end();
      await Promise.race([
        Promise.all(open.map((socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve()))))),
        new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS)),
      ]);
      for (const connection of connections) connection.socket.destroy();
      await closed;
    },
  };
}
