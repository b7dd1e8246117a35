/**
 * The git plugin's Prometheus metrics, registered on the host's registry:
 * - `hearth_git_pushes_total{site,result}` — pushes by outcome;
 * - `hearth_git_deploy_duration_seconds{site}` — push received to release live;
 * - `hearth_git_uploaded_bytes_total{site}` — blob bytes written to storage by deploys.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** How a push ended, as counted in `hearth_git_pushes_total`. */
export type PushResult =
  /** The deploy branch moved and its release is live. */
  | 'deployed'
  /** Refs moved, none of them the deploy branch (or only deletes). */
  | 'updated'
  /** Every command was refused by policy (stale, non-fast-forward, bad tree, too large...). */
  | 'rejected'
  /** The site's build failed. */
  | 'build_failed'
  /** The request or its pack was malformed. */
  | 'invalid'
  /** The server failed (storage down, disk full). */
  | 'error';

/** The metrics, bound to one registry. */
export class GitMetrics {
  readonly #pushes: Counter<'site' | 'result'>;
  readonly #deployDuration: Histogram<'site'>;
  readonly #uploadedBytes: Counter<'site'>;

  constructor(registry: Registry) {
    this.#pushes = new Counter({
      name: 'hearth_git_pushes_total',
      help: 'Git pushes received, by site and result.',
      labelNames: ['site', 'result'],
      registers: [registry],
    });
    this.#deployDuration = new Histogram({
      name: 'hearth_git_deploy_duration_seconds',
      help: 'Seconds from a push to its release going live, builds included.',
      labelNames: ['site'],
      // From a one-file change (well under a second) to a long build (minutes).
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    });
    this.#uploadedBytes = new Counter({
      name: 'hearth_git_uploaded_bytes_total',
      help: 'Bytes of site files uploaded to storage by deploys.',
      labelNames: ['site'],
      registers: [registry],
    });
  }

  /** Counts a push. */
  push(site: string, result: PushResult): void {
    this.#pushes.inc({ site, result });
  }

  /** Records a deploy that went live. */
  deployed(site: string, seconds: number, uploadedBytes: number): void {
    this.#deployDuration.observe({ site }, seconds);
    this.#uploadedBytes.inc({ site }, uploadedBytes);
  }
}
