/**
 * The edge plugin's Prometheus metrics, registered on the host's registry:
 * - `hearth_edge_requests_total{site,class}` — responses by site and status class (`2xx`…);
 * - `hearth_edge_response_bytes_total{site}` — body bytes sent;
 * - `hearth_edge_request_duration_seconds{site}` — request received to response handed to the socket;
 * - `hearth_edge_cache_hits_total{site}` / `hearth_edge_cache_misses_total{site}` — file bodies
 *   served from memory vs read from storage (hit ratio = hits / (hits + misses));
 * - `hearth_edge_cache_bytes` — bytes held in that memory cache;
 * - `hearth_edge_live_checks_total{result}` — checks of sites' live pointers;
 * - `hearth_edge_release_retries_total{site}` — requests retried on a newer release after their
 *   release's files were collected;
 * - `hearth_edge_log_records_sent_total{sink}`, `hearth_edge_log_records_dropped_total{reason}`,
 *   `hearth_edge_log_sink_failures_total{sink}` — access-log delivery.
 * Requests for host names that are no site are counted under `site="(unknown)"`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { LiveCheck } from './serve/liveReleases.js';

/** The site label of requests whose Host header names no site. */
export const UNKNOWN_SITE_LABEL = '(unknown)';

/** Why an access-log record was not delivered. */
export type LogDropReason = 'queue_full' | 'stopped';

type Child<T extends Counter<string> | Histogram<string>> = ReturnType<T['labels']>;

/** The meters of one site, with their label children resolved once (the hot path only calls inc). */
export interface SiteMeters {
  /** Counts a response: status, body bytes, seconds taken. */
  request(status: number, bytes: number, seconds: number): void;
  /** A body served from memory. */
  hit(): void;
  /** A body read from storage. */
  miss(): void;
}

/**
 * A site's counts since the last scrape, as plain numbers: a prom-client `inc` hashes its labels
 * on every call, which costs a busy edge more than the rest of the bookkeeping. They are added to
 * the counters when the registry is read.
 */
class SiteTally implements SiteMeters {
  /** Responses by status class (1xx … 5xx). */
  readonly classes = [0, 0, 0, 0, 0];
  bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly duration: Child<Histogram<'site'>>) {}

  request(status: number, sent: number, seconds: number): void {
    this.classes[Math.min(Math.max(Math.floor(status / 100), 1), 5) - 1]!++;
    this.bytes += sent;
    this.duration.observe(seconds);
  }

  hit(): void {
    this.hits++;
  }

  miss(): void {
    this.misses++;
  }
}

const CLASS_LABELS = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** The metrics, bound to one registry. */
export class EdgeMetrics {
  readonly #duration: Histogram<'site'>;
  readonly #liveChecks: Counter<'result'>;
  readonly #retries: Counter<'site'>;
  readonly #logSent: Counter<'sink'>;
  readonly #logDropped: Counter<'reason'>;
  readonly #sinkFailures: Counter<'sink'>;
  readonly #sites = new Map<string, SiteTally>();

  /** `cacheBytes` is read when the registry is scraped. */
  constructor(registry: Registry, cacheBytes: () => number) {
    const registers = [registry];
    const sites = this.#sites;
    new Counter({
      name: 'hearth_edge_requests_total',
      help: 'Responses of the edge, by site and status class.',
      labelNames: ['site', 'class'],
      registers,
      collect() {
        for (const [site, tally] of sites) {
          for (const [index, count] of tally.classes.entries()) {
            if (count > 0) this.inc({ site, class: CLASS_LABELS[index]! }, count);
            tally.classes[index] = 0;
          }
        }
      },
    });
    // Adds a per-site tally to its counter when the registry is read, and starts it over.
    const flushed = (field: 'bytes' | 'hits' | 'misses') =>
      function collect(this: Counter<'site'>): void {
        for (const [site, tally] of sites) {
          if (tally[field] > 0) this.inc({ site }, tally[field]);
          tally[field] = 0;
        }
      };
    new Counter({
      name: 'hearth_edge_response_bytes_total',
      help: 'Response body bytes sent by the edge, by site.',
      labelNames: ['site'],
      registers,
      collect: flushed('bytes'),
    });
    this.#duration = new Histogram({
      name: 'hearth_edge_request_duration_seconds',
      help: 'Seconds from a request arriving to its response being handed to the socket, by site.',
      labelNames: ['site'],
      // From a page served from memory (well under a millisecond) to a large file read from a bucket.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    new Counter({
      name: 'hearth_edge_cache_hits_total',
      help: 'File bodies served from the edge memory cache, by site.',
      labelNames: ['site'],
      registers,
      collect: flushed('hits'),
    });
    new Counter({
      name: 'hearth_edge_cache_misses_total',
      help: 'File bodies read from storage, by site.',
      labelNames: ['site'],
      registers,
      collect: flushed('misses'),
    });
    new Gauge({
      name: 'hearth_edge_cache_bytes',
      help: 'Bytes of file contents held in the edge memory cache.',
      registers,
      collect() {
        this.set(cacheBytes());
      },
    });
    this.#liveChecks = new Counter({ name: 'hearth_edge_live_checks_total', help: 'Checks of sites live-release pointers, by result.', labelNames: ['result'], registers });
    this.#retries = new Counter({
      name: 'hearth_edge_release_retries_total',
      help: 'Requests served again from a newer release because their release files were collected, by site.',
      labelNames: ['site'],
      registers,
    });
    this.#logSent = new Counter({ name: 'hearth_edge_log_records_sent_total', help: 'Access-log records handed to a sink, by sink.', labelNames: ['sink'], registers });
    this.#logDropped = new Counter({ name: 'hearth_edge_log_records_dropped_total', help: 'Access-log records dropped before delivery, by reason.', labelNames: ['reason'], registers });
    this.#sinkFailures = new Counter({ name: 'hearth_edge_log_sink_failures_total', help: 'Failed hand-overs of access-log batches, by sink.', labelNames: ['sink'], registers });
    for (const result of ['unchanged', 'switched', 'failed'] as const) this.#liveChecks.inc({ result }, 0);
    for (const reason of ['queue_full', 'stopped'] as const) this.#logDropped.inc({ reason }, 0);
  }

  /** The meters of a site (or of {@link UNKNOWN_SITE_LABEL}). */
  site(site: string): SiteMeters {
    let meters = this.#sites.get(site);
    if (meters === undefined) {
      meters = new SiteTally(this.#duration.labels(site));
      this.#sites.set(site, meters);
    }
    return meters;
  }

  /** Counts a check of a live pointer. */
  liveCheck(result: LiveCheck): void {
    this.#liveChecks.inc({ result });
  }

  /** Counts a request retried on a newer release. */
  retried(site: string): void {
    this.#retries.inc({ site });
  }

  /** Counts records handed to a sink. */
  logSent(sink: string, records: number): void {
    this.#logSent.inc({ sink }, records);
  }

  /** Counts records dropped. */
  logDropped(reason: LogDropReason, records: number): void {
    this.#logDropped.inc({ reason }, records);
  }

  /** Counts a failed hand-over. */
  sinkFailed(sink: string): void {
    this.#sinkFailures.inc({ sink });
  }
}
