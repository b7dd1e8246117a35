/**
 * The service map plugins draw from. The core provides the services declared here; a plugin that
 * provides its own adds it by augmenting this interface:
 *
 * ```ts
 * declare module '../../core/plugin/services.js' {
 *   interface HearthServices { ingest: IngestService }
 * }
 * ```
 */
import type { Registry } from 'prom-client';
import type { Storage } from '../services/storage/storage.js';
import type { Clock } from '../services/clock.js';
import type { Scheduler } from '../services/scheduler.js';
import type { TokenRegistry } from '../services/tokens.js';
import type { AnalyticsStore } from '../services/analytics/analyticsStore.js';

/** Every service a plugin can name in `needs`, `wants` or `provides`. */
export interface HearthServices {
  /** Site files and other blobs: a directory or an S3 bucket, under the stage's prefix. */
  storage: Storage;
  /** The time; a fixed or manual clock in tests. */
  clock: Clock;
  /** Cron-style jobs; a manual scheduler in tests. */
  scheduler: Scheduler;
  /** Sites and tokens from the host file: who may push, read or ingest what. */
  tokens: TokenRegistry;
  /** The host's Prometheus registry, served at /metrics. */
  metrics: Registry;
  /** Access logs: stored and queried on DuckDB or ClickHouse (declared in services/analytics). */
  analytics: AnalyticsStore;
}

/** The services the core itself provides on every host. */
export const CORE_SERVICES = ['storage', 'clock', 'scheduler', 'tokens', 'metrics', 'analytics'] as const satisfies readonly (keyof HearthServices)[];
