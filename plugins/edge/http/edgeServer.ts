/**
 * The edge's own listener: a plain node:http server, or node:https when a certificate and key are
 * configured. It is separate from the host's control-plane server so that sites are served on
 * every path of their own port, whatever routes plugins mount on the host. Limits are set on the
 * server itself: header size (431 beyond), time to send headers, idle connections. A client that
 * half-closes after its request still gets its response.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { HearthError } from '../../../core/errors/HearthError.js';

/** PEM contents of a certificate chain and its key. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** How the server is bound and bounded. */
export interface EdgeServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsFiles | undefined;
  readonly maxHeaderBytes: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly stopTimeoutMs: number;
}

/** Reads and checks the TLS files; throws HEARTH_ERR_EDGE_TLS naming the file or the mismatch. */
export async function readTlsFiles(certPath: string, keyPath: string): Promise<TlsFiles> {
  const read = async (path: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (error) {
      throw new HearthError('HEARTH_ERR_EDGE_TLS', `cannot read the TLS ${what} file '${path}' (plugins.edge.tls): ${(error as Error).message}; check the path and that the host's user may read it`, { cause: error });
    }
  };
  const files = { cert: await read(certPath, 'certificate'), key: await read(keyPath, 'key') };
  try {
    createSecureContext(files);
  } catch (error) {
    throw new HearthError('HEARTH_ERR_EDGE_TLS', `the TLS certificate '${certPath}' and key '${keyPath}' cannot be used together: ${(error as Error).message}; give the PEM chain and its matching private key`, { cause: error });
  }
  return files;
}

/** A listening edge server. */
export interface BoundEdgeServer {
  readonly port: number;
  /** e.g. `http://127.0.0.1:8088`. */
  readonly url: string;
  /** Stops accepting, lets requests in flight finish (up to stopTimeoutMs), then closes every connection. */
  close(): Promise<void>;
}

/** Creates the server and listens. Throws HEARTH_ERR_EDGE_LISTEN when the address cannot be bound. */
export async function listenEdge(options: EdgeServerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<BoundEdgeServer> {
  // Repeated header lines are joined with ', ' (RFC 9110 §5.3) rather than all but the first dropped:
  // list headers (If-None-Match, Accept-Encoding) keep every member, and a second Host shows as a
  // comma the handler refuses (RFC 9112 §3.2). It costs nothing unless a header is repeated.
  const serverOptions = {
    maxHeaderSize: options.maxHeaderBytes,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.headersTimeoutMs * 2,
    joinDuplicateHeaders: true,
  };
  const server: Server = options.tls ? createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(serverOptions, handler);
  server.timeout = options.idleTimeoutMs;
  // A client may shut its side down once its request is sent (a FIN). By default node:http then
  // aborts every request not answered yet — any answer that waits for storage, the live pointer or
  // compression — and the client gets nothing. Allowed, the response is sent and the socket ends.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // A request line or header the parser refuses gets a bare 400 (431 for size) and the socket closes.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // A response still being written (e.g. the 413 to a request whose body then failed to parse as
    // a next request) goes out first; it carries `Connection: close`, which ends the socket.
    if ((socket as { _httpMessage?: unknown })._httpMessage) return;
    if (!socket.writable || ((socket as { bytesWritten?: number }).bytesWritten ?? 0) > 0) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      const hint = error.code === 'EADDRINUSE' ? 'another process uses it: stop it or change plugins.edge.port' : error.code === 'EACCES' ? 'ports below 1024 need privileges: use a higher port behind a proxy' : 'see the cause';
      reject(new HearthError('HEARTH_ERR_EDGE_LISTEN', `the edge cannot listen on ${options.host}:${options.port} (${error.code ?? 'error'}): ${hint}`, { cause: error }));
    };
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url: `${options.tls ? 'https' : 'http'}://${hostPart}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), options.stopTimeoutMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
