/**
 * One HTTP scrape: GET the target's metrics with a timeout and a cap on the (decompressed) body,
 * so a target that hangs, trickles or answers 50 MB costs a bounded amount of time and memory.
 * It uses node:http rather than fetch, whose "bad port" list would refuse targets on ports such
 * as 6000 or 5060, and keeps connections alive between scrapes.
 */
import http from 'node:http';
import https from 'node:https';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { Secret } from '../../../core/config/secret.js';

/** Why a scrape failed, in words for the targets API. */
export class ScrapeFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScrapeFailure';
  }
}

/** Limits and credentials of one fetch. */
export interface FetchOptions {
  readonly timeoutMs: number;
  readonly bodyLimitBytes: number;
  readonly token?: Secret;
}

/** The Accept header Prometheus sends for the text format. */
const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 2 }), https: new https.Agent({ keepAlive: true, maxSockets: 2 }) };

/** Fetches `url` and returns its body as text. Rejects with {@link ScrapeFailure}. */
export function fetchMetrics(url: string, options: FetchOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      return reject(new ScrapeFailure(`'${url}' is not a URL`, { cause: error }));
    }
    const secure = target.protocol === 'https:';
    const headers: Record<string, string> = {
      accept: ACCEPT,
      'accept-encoding': 'gzip, deflate',
      'user-agent': 'Hearth-monitoring',
      'x-prometheus-scrape-timeout-seconds': String(options.timeoutMs / 1000),
    };
    if (options.token) headers.authorization = `Bearer ${options.token.reveal()}`;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(new ScrapeFailure(message, { cause }));
    };
    const request = (secure ? https : http).request(target, { method: 'GET', headers, agent: secure ? agents.https : agents.http }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return fail(`server returned HTTP status ${response.statusCode} ${response.statusMessage ?? ''}`.trim());
      }
      const declared = Number(response.headers['content-length'] ?? NaN);
      const encoding = response.headers['content-encoding'];
      if (declared > options.bodyLimitBytes && !encoding) return fail(`body of ${declared} bytes exceeds the limit of ${options.bodyLimitBytes} bytes`);
      let body: Readable = response;
      if (encoding === 'gzip') body = response.pipe(createGunzip());
      else if (encoding === 'deflate') body = response.pipe(createInflate());
      else if (encoding && encoding !== 'identity') return fail(`unsupported content-encoding '${encoding}'`);
      const chunks: Buffer[] = [];
      let size = 0;
      body.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > options.bodyLimitBytes) fail(`body exceeds the limit of ${options.bodyLimitBytes} bytes`);
        else chunks.push(chunk);
      });
      body.on('error', (error: Error) => fail(`cannot read the body: ${error.message}`, error));
      response.on('aborted', () => fail('the target closed the connection mid-body'));
      body.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(new TextDecoder('utf-8').decode(Buffer.concat(chunks, size)));
      });
    });
    timer = setTimeout(() => fail(`context deadline exceeded (no complete answer within ${options.timeoutMs} ms)`), options.timeoutMs);
    request.on('error', (error: Error) => fail(error.message, error));
    request.end();
  });
}
