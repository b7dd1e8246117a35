/**
 * One access-log record per request the edge answers for a site: the fields of intake's raw
 * access record (plugins/intake/records/rawAccess.ts), so it can be handed in-process as it is,
 * or written as a Bunny line for an intake elsewhere.
 */
import { randomBytes } from 'node:crypto';

/** One request, as the edge logs it. */
export interface EdgeAccessRecord {
  readonly site: string;
  /** The host name asked for (a site name or alias), lower case, without port. */
  readonly host: string;
  /** Unix milliseconds when the request arrived. */
  readonly ts: number;
  readonly status: number;
  readonly method: string;
  /** Absolute URL: scheme, host, path and query as requested. */
  readonly url: string;
  /** Body bytes sent. */
  readonly bytes: number;
  readonly referrer?: string;
  readonly ip: string;
  readonly userAgent?: string;
  readonly requestId: string;
  /** `HIT` when the body came from memory, `MISS` from storage, `NONE` without a file body. */
  readonly cacheStatus: 'HIT' | 'MISS' | 'NONE';
  readonly edgeLocation: string;
  readonly pullZoneId: string;
  readonly durationMs: number;
  readonly source: 'edge';
}

/**
 * Request ids unique across restarts and hosts: a random per-process prefix and a counter, so
 * intake's de-duplication never mistakes two requests for one, at the cost of a string concat.
 */
export class RequestIds {
  readonly #prefix = randomBytes(8).toString('hex');
  #counter = 0;

  /** The next id: 16 hex digits, `-`, a base-36 counter. */
  next(): string {
    this.#counter++;
    return `${this.#prefix}-${this.#counter.toString(36)}`;
  }
}
