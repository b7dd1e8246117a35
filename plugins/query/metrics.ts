/**
 * The query plugin's Prometheus metrics, by engine: API requests by outcome, their latency, and
 * the store queries they ran with theirs. Registered in the host's registry (served at /metrics).
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** Outcomes of an API request, by HTTP status. */
export const OUTCOMES = ['ok', 'bad_request', 'unauthorized', 'forbidden', 'not_found', 'rate_limited', 'failed'] as const;

/** The outcome of an API request. */
export type Outcome = (typeof OUTCOMES)[number];

/** Counting and timing calls. */
export interface QueryMetrics {
  /** An API request answered with `status` after `seconds`. */
  answered(status: number, seconds: number): void;
  /** A store query that took `seconds`. */
  storeQuery(seconds: number): void;
}

/** The outcome of a status code. */
export function outcomeOf(status: number): Outcome {
  if (status < 400) return 'ok';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  return status < 500 ? 'bad_request' : 'failed';
}

/** Seconds: a cached DuckDB answer takes a millisecond, a year of ClickHouse rows a few seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Creates the metrics in `registry`, labelled with the store's engine. */
export function createQueryMetrics(registry: Registry, engine: string): QueryMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'hearth_query_requests_total',
    help: 'Analytics API requests answered, by engine and outcome.',
    labelNames: ['engine', 'outcome'],
    registers,
  });
  const requestSeconds = new Histogram({
    name: 'hearth_query_request_duration_seconds',
    help: 'Time to answer an analytics API request that succeeded, by engine.',
    labelNames: ['engine'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const storeQueries = new Counter({ name: 'hearth_query_store_queries_total', help: 'Queries the analytics API ran on the store, by engine.', labelNames: ['engine'], registers });
  const storeSeconds = new Histogram({
    name: 'hearth_query_store_query_duration_seconds',
    help: 'Time of one store query run by the analytics API, by engine.',
    labelNames: ['engine'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  // Every series shows from the first scrape, so rate() sees a 0 rather than a gap.
  for (const outcome of OUTCOMES) requests.inc({ engine, outcome }, 0);
  storeQueries.inc({ engine }, 0);
  return {
    answered(status, seconds) {
      const outcome = outcomeOf(status);
      requests.inc({ engine, outcome });
      if (outcome === 'ok') requestSeconds.observe({ engine }, seconds);
    },
    storeQuery(seconds) {
      storeQueries.inc({ engine });
      storeSeconds.observe({ engine }, seconds);
    },
  };
}
