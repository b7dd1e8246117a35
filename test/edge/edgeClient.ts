/**
 * HTTP as a visitor's browser or an attacker's script speaks it to the edge: requests with any
 * Host header (fetch cannot set one), and raw bytes over a socket for request targets no HTTP
 * client library would send as written (`/../`, NUL, invalid UTF-8, absurd headers).
 */
import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** A response, body read whole. */
export interface EdgeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

/** Options of {@link edgeGet}. */
export interface EdgeRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Keep-alive connections, as a browser keeps them; tests that hammer the edge reuse sockets. */
export const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 });

/** Sends one request to `base` (http://127.0.0.1:PORT) for `path` with Host `host`. */
export function edgeGet(base: string, host: string, path: string, options: EdgeRequestOptions = {}): Promise<EdgeResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path,
        agent: keepAlive,
        headers: { host, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A raw response: status line, headers (lower-case names) and body bytes as sent. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly raw: Buffer;
}

/** Options of {@link rawRequest}. */
export interface RawRequestOptions {
  /** Shut the client's side down once the request is written (a FIN, as `curl` piped or a load tester may send). */
  readonly halfClose?: boolean;
}

/** Writes `request` (bytes, with `Connection: close`) to the port and reads until the server closes. */
export function rawRequest(base: string, request: Buffer | string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf('\r\n\r\n');
      const head = (split < 0 ? raw : raw.subarray(0, split)).toString('latin1');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body: split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4), raw });
    });
    // Without halfClose, like a browser: the client keeps its side open until the server closes.
    if (options.halfClose === true) socket.end(request);
    else socket.write(request);
  });
}

/** A GET request line with a target exactly as given (bytes), for {@link rawRequest}. */
export function rawGet(target: Buffer | string, host: string, extra = ''): Buffer {
  return Buffer.concat([Buffer.from('GET ', 'latin1'), Buffer.isBuffer(target) ? target : Buffer.from(target, 'latin1'), Buffer.from(` HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`, 'latin1')]);
}
