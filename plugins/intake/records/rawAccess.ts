/**
 * A request as a parser or another plugin hands it in: the log's own fields, not yet validated,
 * enriched or tied to a site. The record builder turns it into an AccessRecord or a drop reason.
 */

/** One request, as the log said it. */
export interface RawAccess {
  /** The site, when the sender names it (listener config, HTTP `?site=`, in-process callers). */
  readonly site?: string;
  /** The host name the request was for (the URL's host, the vhost); mapped to a site by name or alias. */
  readonly host?: string;
  /** Bunny's pull zone id, mapped to a site by `sites.<site>.intake.bunnyPullZones`. */
  readonly pullZoneId?: string;
  /** Unix milliseconds. */
  readonly ts: number;
  readonly status: number;
  /** Upper-case method; GET when the format has none. */
  readonly method?: string;
  /** Absolute URL or path with query, as logged. */
  readonly url: string;
  readonly bytes: number;
  readonly referrer?: string;
  /** The client's address: only hashed into the visitor id, never stored. */
  readonly ip?: string;
  readonly userAgent?: string;
  readonly requestId?: string;
  readonly country?: string;
  readonly cacheStatus?: string;
  readonly edgeLocation?: string;
  /** Milliseconds to serve, when logged. */
  readonly durationMs?: number | null;
  /** The format or plugin it came from (`bunny`, `nginx`, `caddy`, `edge`, …). */
  readonly source: string;
}

/** Why a line or record was not stored; the label of `hearth_intake_records_dropped_total`. */
export type DropReason =
  | 'malformed'
  | 'bad_number'
  | 'bad_status'
  | 'out_of_range'
  | 'too_old'
  | 'in_future'
  | 'unknown_site'
  | 'forbidden'
  | 'duplicate'
  | 'too_long'
  | 'unknown_format'
  | 'source_not_allowed'
  | 'backpressure'
  | 'spool_failed'
  | 'store_rejected';

/** Every drop reason, so metrics can start each at zero. */
export const DROP_REASONS: readonly DropReason[] = [
  'malformed',
  'bad_number',
  'bad_status',
  'out_of_range',
  'too_old',
  'in_future',
  'unknown_site',
  'forbidden',
  'duplicate',
  'too_long',
  'unknown_format',
  'source_not_allowed',
  'backpressure',
  'spool_failed',
  'store_rejected',
];

/** What a parser returns: the request, or why the line is not one. */
export type ParseResult = RawAccess | DropReason;

/** True when a parse result is a drop reason. */
export function isDrop(result: RawAccess | DropReason): result is DropReason {
  return typeof result === 'string';
}
