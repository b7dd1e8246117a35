/**
 * The words of the analytics API — metrics, dimensions, filter operators, bot handling — and the
 * store's names behind them. The API speaks its own names (`referrer`, `time:day`, `error_rate`)
 * so the store's columns can change without breaking a dashboard.
 */
import type { Dimension, Metric, TimeBucket } from '../../../core/services/analytics/aggregateQuery.js';

/**
 * What a request may compute: distinct visitors, pageviews (human, successful page loads),
 * requests, response bytes, 5xx answers, and the share of requests answered 5xx.
 */
export const API_METRICS = ['visitors', 'pageviews', 'requests', 'bytes', 'errors', 'error_rate'] as const;

/** A metric of the API. */
export type ApiMetric = (typeof API_METRICS)[number];

/** The store metrics each API metric is computed from. */
export const METRIC_SOURCES: Readonly<Record<ApiMetric, readonly Metric[]>> = {
  visitors: ['visitors'],
  pageviews: ['pageviews'],
  requests: ['requests'],
  bytes: ['bytes'],
  errors: ['errors'],
  error_rate: ['errors', 'requests'],
};

/** Breakdowns of the API and the store column behind each. */
export const BREAKDOWNS = {
  path: 'path',
  referrer: 'referrer_host',
  country: 'country',
  device: 'device',
  browser: 'browser',
  os: 'os',
  status: 'status',
  status_class: 'status_class',
  file_type: 'file_type',
  cache_status: 'cache_status',
} as const satisfies Record<string, Dimension>;

/** A breakdown of the API. */
export type Breakdown = keyof typeof BREAKDOWNS;

/** Time dimensions: buckets in the request's time zone. */
export const TIME_DIMENSIONS = {
  'time:hour': 'hour',
  'time:day': 'day',
  'time:week': 'week',
  'time:month': 'month',
} as const satisfies Record<string, TimeBucket>;

/** A time dimension. */
export type TimeDimension = keyof typeof TIME_DIMENSIONS;

/** Any dimension of the API. */
export type ApiDimension = Breakdown | TimeDimension;

/** The key a time bucket has in result rows. */
export const TIME_KEY = 'time';

/** Filter operators: equal to one of the values, equal to none of them, containing the text. */
export const FILTER_OPS = ['is', 'is_not', 'contains'] as const;

/** A filter operator. */
export type FilterOp = (typeof FILTER_OPS)[number];

/** Whether bot requests are left out (default), counted with the rest, or the only ones counted. */
export const BOT_MODES = ['exclude', 'include', 'only'] as const;

/** A bot mode. */
export type BotMode = (typeof BOT_MODES)[number];

/** True for breakdowns whose values are numbers in the store (status codes). */
export function isNumericBreakdown(breakdown: Breakdown): boolean {
  return breakdown === 'status' || breakdown === 'status_class';
}

/** True when `name` is a time dimension. */
export function isTimeDimension(name: string): name is TimeDimension {
  return Object.hasOwn(TIME_DIMENSIONS, name);
}

/** True when `name` is a breakdown. */
export function isBreakdown(name: string): name is Breakdown {
  return Object.hasOwn(BREAKDOWNS, name);
}

/** Every dimension name, for messages. */
export const DIMENSION_NAMES: readonly string[] = [...Object.keys(TIME_DIMENSIONS), ...Object.keys(BREAKDOWNS)];
