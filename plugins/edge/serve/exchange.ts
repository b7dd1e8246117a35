/**
 * One request the edge answers for a site, from arrival to the last byte: what was asked, for which
 * site, and how it ended — counted in the site's metrics and written as one access-log record.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { EdgeAccessRecord } from '../logs/accessRecord.js';
import type { SiteMeters } from '../metrics.js';
import type { ClientAddressReader } from '../http/clientAddress.js';
import { PLAIN_BODIES, plainHeaders, type PlainStatus } from './plainAnswers.js';
import type { IdentityHeaders } from './servedRelease.js';

/** What the edge knows of a site while serving it. */
export interface SiteRuntime {
  readonly name: string;
  /** Headers every response of the site carries (security defaults and configured ones). */
  readonly headers: Readonly<Record<string, string>>;
  readonly meters: SiteMeters;
  readonly pullZoneId: string;
}

/** Where finished exchanges are reported. */
export interface ExchangeReporting {
  readonly clients: ClientAddressReader;
  readonly edgeLocation: string;
  /** Takes the access record; undefined when access logs are off. */
  readonly log: ((record: EdgeAccessRecord) => void) | undefined;
}

/** A request for a site, being answered. */
export class Exchange {
  readonly started = performance.now();
  readonly ts: number;
  /** Set once the response is handed to the socket (or the exchange failed). */
  finished = false;
  /** True once the request was retried on a newer release. */
  retried = false;
  /** True when the target can name no file of any release (an empty segment): the site's 404 page answers it. */
  namesNothing = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly site: SiteRuntime,
    /** The host name asked for, lower case, without port. */
    readonly hostname: string,
    readonly path: string,
    readonly directory: boolean,
    readonly query: string,
    readonly requestId: string,
    readonly reporting: ExchangeReporting,
  ) {
    this.ts = Date.now();
  }

  /** True for HEAD: headers as for GET, no body. */
  get head(): boolean {
    return this.req.method === 'HEAD';
  }

  /** Counts the response and logs it. Called once; later calls are ignored. */
  done(status: number, bytes: number, cacheStatus: EdgeAccessRecord['cacheStatus']): void {
    if (this.finished) return;
    this.finished = true;
    const durationMs = performance.now() - this.started;
    this.site.meters.request(status, bytes, durationMs / 1000);
    const log = this.reporting.log;
    if (log === undefined) return;
    const client = this.reporting.clients.read(this.req);
    const { headers } = this.req;
    // One object literal of fixed shape (absent fields are undefined): cheap to build per request.
    log({
      site: this.site.name,
      host: this.hostname,
      ts: this.ts,
      status,
      method: this.req.method ?? 'GET',
      url: `${client.scheme}://${this.hostname}${this.req.url ?? '/'}`,
      bytes,
      referrer: headers.referer,
      ip: client.ip,
      userAgent: headers['user-agent'],
      requestId: this.requestId,
      cacheStatus,
      edgeLocation: this.reporting.edgeLocation,
      pullZoneId: this.site.pullZoneId,
      durationMs: Math.round(durationMs * 1000) / 1000,
      source: 'edge',
    });
  }

  /**
   * Writes a file's full 200 response from memory: its prepared header list plus this response's
   * id and length (the hot path of a site: no header object is built).
   */
  sendIdentity(headers: IdentityHeaders, body: Buffer): void {
    this.res.writeHead(200, headers.for(this.requestId, body.length));
    this.res.end(body);
    this.done(200, body.length, 'HIT');
  }

  /** Writes a whole response from memory and reports it. */
  send(status: number, headers: Record<string, string | number>, body: Buffer | undefined, cacheStatus: EdgeAccessRecord['cacheStatus']): void {
    headers['X-Request-Id'] = this.requestId;
    // The body's own length, not the manifest's: a response can never claim other bytes than it sends.
    if (body !== undefined && status !== 304) headers['Content-Length'] = body.length;
    this.res.writeHead(status, headers);
    const sent = body !== undefined && !this.head && status !== 304 ? body : undefined;
    this.res.end(sent);
    this.done(status, sent?.length ?? 0, cacheStatus);
  }

  /** Answers with the edge's own text for `status` (plainAnswers.ts), plus `extra` headers. */
  sendPlain(status: PlainStatus, extra?: Readonly<Record<string, string>>): void {
    const headers: Record<string, string | number> = { ...this.site.headers, ...plainHeaders(status), ...extra };
    this.send(status, headers, Buffer.from(PLAIN_BODIES[status]), 'NONE');
  }
}
