/**
 * The edge's request handler: Host header -> site, request target -> path, the site's live release
 * (resolved once; every byte of the response comes from it) -> file, redirect or 404 page. A
 * request whose release lost a file to garbage collection after a newer deploy is answered again,
 * once, from the new live release — before any header was written, so never a mix.
 * Hostile input is answered without touching storage: unknown hosts get a 404 that names no site,
 * more than one Host header 400, malformed targets 400/404/414, methods other than GET and HEAD 405, requests with a body 413.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { isHearthError } from '../../../core/errors/HearthError.js';
import type { TokenRegistry } from '../../../core/services/tokens.js';
import { parseRequestTarget } from '../http/requestTarget.js';
import type { RequestIds } from '../logs/accessRecord.js';
import type { SiteMeters } from '../metrics.js';
import { Exchange, type ExchangeReporting, type SiteRuntime } from './exchange.js';
import type { FileResponder } from './fileResponder.js';
import { STALE, type LiveReleases } from './liveReleases.js';
import { PLAIN_BODIES, plainHeaders, type PlainStatus } from './plainAnswers.js';
import { MISSING, type ServedRelease } from './servedRelease.js';
import { SECURITY_HEADERS } from './securityHeaders.js';

/** What the handler draws on. */
export interface SiteRequestHandlerParts {
  readonly tokens: TokenRegistry;
  readonly sites: ReadonlyMap<string, SiteRuntime>;
  readonly lives: LiveReleases;
  readonly files: FileResponder;
  readonly ids: RequestIds;
  readonly reporting: ExchangeReporting;
  readonly unknownSite: SiteMeters;
  readonly maxTargetBytes: number;
  readonly logger: Logger;
  readonly retried: (site: string) => void;
}

/** Host headers remembered (site or none); the table starts over when full. */
const HOST_MEMO_ENTRIES = 4_096;
/** Longest Host header looked at: a DNS name is at most 253 characters, plus a port. */
const MAX_HOST_LENGTH = 260;


/** Serves sites by Host header. */
export class SiteRequestHandler {
  readonly #parts: SiteRequestHandlerParts;
  readonly #hosts = new Map<string, { site: SiteRuntime; hostname: string } | null>();

  constructor(parts: SiteRequestHandlerParts) {
    this.#parts = parts;
  }

  /** The `request` listener of the edge's HTTP server. Never throws: a bug answers 503, not a crash. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      this.#handle(req, res);
    } catch (error) {
      this.#parts.logger.error({ err: error }, 'edge: a request failed');
      if (!res.headersSent) res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end();
    }
  };

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const host = this.#siteOf(req.headers.host);
    if (host === null) {
      // Repeated Host lines arrive joined by a comma (edgeServer.ts), which no host name holds: the
      // request is malformed, whichever line names a site (RFC 9112 §3.2).
      this.#plainUnknown(res, req.headers.host?.includes(',') === true ? 400 : 404);
      return;
    }
    const parts = this.#parts;
    const method = req.method;
    let refused: PlainStatus | undefined;
    if (method !== 'GET' && method !== 'HEAD') refused = 405;
    else if (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')) refused = 413;
    const target = refused === undefined ? parseRequestTarget(req.url ?? '', parts.maxTargetBytes) : undefined;
    if (target !== undefined && !target.ok && target.status !== 404) refused = target.status;
    const path = target?.ok ? target : { path: '', directory: false, query: '' };
    const exchange = new Exchange(req, res, host.site, host.hostname, path.path, path.directory, path.query, parts.ids.next(), parts.reporting);
    // A target refused as naming nothing is a missing page like any other: the site's 404 page.
    exchange.namesNothing = target !== undefined && !target.ok;
    if (refused !== undefined) {
      exchange.sendPlain(refused);
      return;
    }
    const cached = parts.lives.cached(host.site.name);
    if (cached !== STALE) this.#serve(exchange, cached);
    else {
      parts.lives
        .current(host.site.name)
        .then((release) => this.#serve(exchange, release))
        .catch((error: unknown) => this.#failed(exchange, error));
    }
  }

  #siteOf(header: string | undefined): { site: SiteRuntime; hostname: string } | null {
    if (header === undefined || header.length > MAX_HOST_LENGTH) return null;
    const memo = this.#hosts.get(header);
    if (memo !== undefined) return memo;
    const name = this.#parts.tokens.siteForHostname(header);
    const site = name === undefined ? undefined : this.#parts.sites.get(name);
    const found = site === undefined ? null : { site, hostname: header.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '') };
    if (this.#hosts.size >= HOST_MEMO_ENTRIES) this.#hosts.clear();
    this.#hosts.set(header, found);
    return found;
  }

  #serve(exchange: Exchange, release: ServedRelease | undefined): void {
    if (exchange.res.destroyed) {
      exchange.done(499, 0, 'NONE');
      return;
    }
    if (release === undefined) {
      // Nothing deployed yet: the same answer as for any other missing page.
      exchange.sendPlain(404);
      return;
    }
    const resolution = exchange.namesNothing ? MISSING : release.resolve(exchange.path, exchange.directory, exchange.query);
    let pending: Promise<void> | undefined;
    if (resolution.kind === 'file') pending = this.#parts.files.respond(exchange, release, resolution.file, 200);
    else if (resolution.kind === 'redirect') {
      exchange.send(308, { ...exchange.site.headers, Location: resolution.location, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' }, Buffer.from(`Moved to ${resolution.location}\n`), 'NONE');
    } else {
      const page = release.notFoundPage();
      if (page === undefined) exchange.sendPlain(404);
      else pending = this.#parts.files.respond(exchange, release, page, 404);
    }
    pending?.catch((error: unknown) => this.#retryOrFail(exchange, release, error));
  }

  /** A file of the release is gone (collected after newer deploys): serve the request again from the live release. */
  #retryOrFail(exchange: Exchange, release: ServedRelease, error: unknown): void {
    if (exchange.res.headersSent || exchange.retried || !isHearthError(error, 'HEARTH_ERR_STORAGE_NOT_FOUND')) {
      this.#failed(exchange, error);
      return;
    }
    exchange.retried = true;
    this.#parts.lives
      .current(release.site, true)
      .then((live) => {
        if (live === undefined || live.id === release.id) {
          this.#failed(exchange, error);
          return;
        }
        this.#parts.retried(release.site);
        this.#serve(exchange, live);
      })
      .catch((checkError: unknown) => this.#failed(exchange, checkError));
  }

  /** Ends an exchange that could not be served. Must not throw: it is the last resort of every path. */
  #failed(exchange: Exchange, error: unknown): void {
    try {
      if (exchange.res.headersSent) {
        exchange.res.destroy();
        exchange.done(exchange.res.statusCode, 0, 'NONE');
      } else if (exchange.res.destroyed) exchange.done(499, 0, 'NONE');
      else exchange.sendPlain(503);
    } catch {
      exchange.res.destroy();
    }
    this.#parts.logger.error({ site: exchange.site.name, path: exchange.path, err: error }, 'edge: a request failed');
  }

  /** Unknown hosts: counted, never logged to a site, and told nothing about which sites exist. */
  #plainUnknown(res: ServerResponse, status: 400 | 404): void {
    const started = performance.now();
    const body = PLAIN_BODIES[status];
    res.writeHead(status, { ...SECURITY_HEADERS, ...plainHeaders(status), 'Content-Length': body.length });
    res.end(res.req.method === 'HEAD' ? undefined : body);
    this.#parts.unknownSite.request(status, res.req.method === 'HEAD' ? 0 : body.length, (performance.now() - started) / 1000);
  }
}
