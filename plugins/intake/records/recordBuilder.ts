/**
 * Turns a request as logged into a record the store keeps, or a drop reason: the site must be one
 * of the host file's; the time within the accepted window; the status 100–599; numbers in range.
 * Then it adds what the store keeps instead of the raw data: status class, path without query,
 * file type, referrer host, device/browser/OS, bot flag, and the visitor id (the IP goes no further).
 */
import type { AccessRecord } from '../../../core/services/analytics/accessRecord.js';
import { LATEST_STORABLE_MS } from '../../../core/services/analytics/sqlLiteral.js';
import type { Clock } from '../../../core/services/clock.js';
import type { DropReason, RawAccess } from './rawAccess.js';
import type { SiteResolver } from './siteResolver.js';
import { referrerHost, urlParts } from './urlParts.js';
import type { UserAgentReader } from './userAgentInfo.js';
import type { VisitorHasher } from './visitorHasher.js';

/** How far from now a request's time may be. */
export interface TimeWindow {
  /** Oldest accepted, in milliseconds before now. */
  readonly maxAgeMs: number;
  /** Furthest accepted ahead of now (clock skew), in milliseconds. */
  readonly maxFutureMs: number;
}

/** Longest kept URL (path and query), in characters. */
export const MAX_URL = 2048;
/** Longest kept request id, CDN edge code and cache status, in characters. */
export const MAX_ID = 128;
export const MAX_SHORT = 32;
/** Largest response size believed, in bytes (1 TB). */
export const MAX_BYTES = 1e12;
/** Longest believed time to serve, in milliseconds (a day); longer is stored as unknown. */
const MAX_DURATION_MS = 86_400_000;

const METHOD = /^[A-Z]{1,16}$/;
const COUNTRY = /^[A-Z]{2}$/;

/** What the builder draws on. */
export interface RecordBuilderParts {
  readonly sites: SiteResolver;
  readonly agents: UserAgentReader;
  readonly visitors: VisitorHasher;
  readonly clock: Clock;
  readonly window: TimeWindow;
}

/** Validates and enriches raw requests. */
export class RecordBuilder {
  readonly #parts: RecordBuilderParts;

  constructor(parts: RecordBuilderParts) {
    this.#parts = parts;
  }

  /** What it draws on (the Bunny lane validates and enriches with the same parts). */
  get parts(): RecordBuilderParts {
    return this.#parts;
  }

  /**
   * The record for `raw`, or why it is dropped. `defaultSite` applies when nothing else names one;
   * `now` (unix ms) is the clock's time unless the caller read it already.
   */
  build(raw: RawAccess, defaultSite?: string, now = this.#parts.clock.now().getTime()): AccessRecord | DropReason {
    const { sites, agents, visitors, window } = this.#parts;
    if (!Number.isSafeInteger(raw.status) || !Number.isFinite(raw.ts) || !Number.isFinite(raw.bytes)) return 'bad_number';
    if (raw.status < 100 || raw.status > 599) return 'bad_status';
    if (raw.bytes < 0 || raw.bytes > MAX_BYTES) return 'out_of_range';
    if (raw.ts < now - window.maxAgeMs || raw.ts < 0) return 'too_old';
    if (raw.ts > now + window.maxFutureMs || raw.ts >= LATEST_STORABLE_MS) return 'in_future';
    const parts = urlParts(raw.url.length > MAX_URL * 2 ? raw.url.slice(0, MAX_URL * 2) : raw.url);
    const site = sites.resolve(raw, parts.host, defaultSite);
    if (site === undefined) return 'unknown_site';
    const agent = agents.read(raw.userAgent);
    const method = raw.method === undefined ? 'GET' : METHOD.test(raw.method) ? raw.method : 'OTHER';
    const country = raw.country ? raw.country.toUpperCase() : '';
    const duration = raw.durationMs ?? null;
    const ok2xxOr304 = (raw.status >= 200 && raw.status < 300) || raw.status === 304;
    return {
      site,
      ts: raw.ts,
      status: raw.status,
      method,
      url: parts.url.slice(0, MAX_URL),
      path: parts.path.slice(0, MAX_URL),
      fileType: parts.fileType,
      isPageview: method === 'GET' && parts.fileType === 'page' && ok2xxOr304 && !agent.bot,
      bytes: Math.floor(raw.bytes),
      durationMs: duration !== null && Number.isFinite(duration) && duration >= 0 && duration <= MAX_DURATION_MS ? duration : null,
      referrerHost: referrerHost(raw.referrer),
      country: COUNTRY.test(country) ? country : '',
      device: agent.device,
      browser: agent.browser,
      os: agent.os,
      bot: agent.bot,
      cacheStatus: (raw.cacheStatus ?? '').slice(0, MAX_SHORT),
      edgeLocation: (raw.edgeLocation ?? '').slice(0, MAX_SHORT),
      requestId: (raw.requestId ?? '').slice(0, MAX_ID),
      visitorId: visitors.visitorId(site, raw.ip ?? '', raw.userAgent ?? '', agent.key, now),
      source: raw.source.slice(0, MAX_SHORT),
    };
  }
}
