/**
 * The store's only query entry: a small typed description of an aggregate over one site and a time
 * range. Callers (the query plugin) never write SQL; the store compiles the description for its
 * engine from allow-listed columns and escaped literals, so user input can only ever be a value.
 */
import { HearthError } from '../../errors/HearthError.js';

/** Columns a query may group or filter by, with how their values come back. */
export const DIMENSIONS = {
  path: 'string',
  url: 'string',
  referrer_host: 'string',
  country: 'string',
  device: 'string',
  browser: 'string',
  os: 'string',
  method: 'string',
  file_type: 'string',
  cache_status: 'string',
  edge_location: 'string',
  source: 'string',
  status: 'number',
  status_class: 'number',
  bot: 'number',
} as const;

/** A column a query may group or filter by. */
export type Dimension = keyof typeof DIMENSIONS;

/**
 * What a query may compute: `requests` (rows), `pageviews`, `visitors` (distinct visitor ids),
 * `bytes` (sum), `bot_requests`, `errors` (5xx answers), `avg_duration_ms` (null when unknown).
 */
export const METRICS = ['requests', 'pageviews', 'visitors', 'bytes', 'bot_requests', 'errors', 'avg_duration_ms'] as const;

/** Something a query may compute. */
export type Metric = (typeof METRICS)[number];

/** Time buckets: hours and days start on the hour/day, weeks on Monday, months on the 1st (UTC). */
export const TIME_BUCKETS = ['hour', 'day', 'week', 'month'] as const;

/** A time bucket. */
export type TimeBucket = (typeof TIME_BUCKETS)[number];

/** A condition on one dimension. `prefix` and `contains` apply to text dimensions only. */
export interface AggregateFilter {
  readonly dimension: Dimension;
  readonly op: 'eq' | 'neq' | 'in' | 'prefix' | 'contains';
  readonly value: string | number | readonly (string | number)[];
}

/** One ordering key: a metric, a dimension or `bucket`. */
export interface AggregateOrder {
  readonly by: Metric | Dimension | 'bucket';
  readonly direction: 'asc' | 'desc';
}

/** An aggregate over one site's records with `from <= ts < to`. */
export interface AggregateQuery {
  readonly site: string;
  readonly from: Date;
  readonly to: Date;
  readonly metrics: readonly Metric[];
  readonly groupBy?: readonly Dimension[];
  /** Adds a `bucket` key (ISO time of the bucket's start); empty buckets are not returned. */
  readonly bucket?: TimeBucket;
  readonly filters?: readonly AggregateFilter[];
  /** Leaves out requests made by bots. */
  readonly humansOnly?: boolean;
  /** Default: `bucket` ascending when bucketed, else the first metric descending; ties by key. */
  readonly orderBy?: readonly AggregateOrder[];
  /** Rows returned, 1–10,000 (default 100). */
  readonly limit?: number;
}

/** One result row: a key per dimension (and `bucket`), a value per metric. */
export type AggregateRow = Record<string, string | number | null>;

/** Largest `limit` a query may ask for: a dashboard never shows more. */
export const MAX_AGGREGATE_LIMIT = 10_000;
/** Rows returned when the query does not say. */
export const DEFAULT_AGGREGATE_LIMIT = 100;
/** Most values an `in` filter may list. */
export const MAX_IN_VALUES = 100;
/** Longest text value a filter may carry, in characters. */
export const MAX_FILTER_TEXT = 2048;

function invalid(message: string): HearthError {
  return new HearthError('HEARTH_ERR_ANALYTICS_QUERY_INVALID', message);
}

function checkFilterValue(filter: AggregateFilter, value: unknown): void {
  const kind = DIMENSIONS[filter.dimension];
  if (kind === 'number' ? !Number.isSafeInteger(value) : typeof value !== 'string') {
    throw invalid(`filter on '${filter.dimension}' needs ${kind === 'number' ? 'an integer' : 'a string'}, got ${JSON.stringify(value)}`);
  }
  if (typeof value === 'string' && value.length > MAX_FILTER_TEXT) {
    throw invalid(`filter on '${filter.dimension}' is ${value.length} characters long; the limit is ${MAX_FILTER_TEXT}`);
  }
}

/**
 * Checks a query against the allow-lists at run time (its caller may have built it from request
 * parameters) and throws `HEARTH_ERR_ANALYTICS_QUERY_INVALID` naming the first problem.
 */
export function checkAggregateQuery(query: AggregateQuery): void {
  if (typeof query.site !== 'string' || query.site.length === 0) throw invalid('a query needs a site');
  const from = query.from?.getTime?.();
  const to = query.to?.getTime?.();
  if (!Number.isFinite(from) || !Number.isFinite(to) || (to as number) <= (from as number)) {
    throw invalid(`the range ${String(query.from)} .. ${String(query.to)} is not a range of time ('from' must be before 'to')`);
  }
  if (!Array.isArray(query.metrics) || query.metrics.length === 0) throw invalid('a query needs at least one metric');
  for (const metric of query.metrics) {
    if (!(METRICS as readonly string[]).includes(metric)) throw invalid(`unknown metric '${String(metric)}'; known: ${METRICS.join(', ')}`);
  }
  for (const dimension of query.groupBy ?? []) {
    if (!Object.hasOwn(DIMENSIONS, dimension)) throw invalid(`unknown dimension '${String(dimension)}'; known: ${Object.keys(DIMENSIONS).join(', ')}`);
  }
  if (query.bucket !== undefined && !(TIME_BUCKETS as readonly string[]).includes(query.bucket)) {
    throw invalid(`unknown bucket '${String(query.bucket)}'; known: ${TIME_BUCKETS.join(', ')}`);
  }
  for (const filter of query.filters ?? []) {
    if (!Object.hasOwn(DIMENSIONS, filter.dimension)) throw invalid(`cannot filter on '${String(filter.dimension)}'`);
    if (!['eq', 'neq', 'in', 'prefix', 'contains'].includes(filter.op)) throw invalid(`unknown filter operator '${String(filter.op)}'`);
    if ((filter.op === 'prefix' || filter.op === 'contains') && DIMENSIONS[filter.dimension] !== 'string') {
      throw invalid(`'${filter.op}' applies to text, not to '${filter.dimension}'`);
    }
    if (filter.op === 'in') {
      if (!Array.isArray(filter.value) || filter.value.length === 0 || filter.value.length > MAX_IN_VALUES) {
        throw invalid(`an 'in' filter on '${filter.dimension}' needs 1 to ${MAX_IN_VALUES} values`);
      }
      for (const value of filter.value) checkFilterValue(filter, value);
    } else {
      checkFilterValue(filter, filter.value);
    }
  }
  const keys = new Set<string>([...query.metrics, ...(query.groupBy ?? []), ...(query.bucket ? ['bucket'] : [])]);
  for (const order of query.orderBy ?? []) {
    if (!keys.has(order.by)) throw invalid(`cannot order by '${String(order.by)}': it is not a metric, dimension or bucket of the query`);
    if (order.direction !== 'asc' && order.direction !== 'desc') throw invalid(`order direction must be 'asc' or 'desc'`);
  }
  const limit = query.limit ?? DEFAULT_AGGREGATE_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_AGGREGATE_LIMIT) {
    throw invalid(`limit ${String(query.limit)} is out of range 1..${MAX_AGGREGATE_LIMIT}`);
  }
}
