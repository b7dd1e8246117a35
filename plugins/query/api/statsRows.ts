/**
 * Result rows between the store and the answer: read from store rows, compared in the same order
 * the engines sort (numbers by value, text by code point — UTF-8 byte order — and every group key
 * ascending after the asked order, as the store's SQL does), and written out with API names.
 */
import { METRICS, type AggregateRow, type Metric } from '../../../core/services/analytics/aggregateQuery.js';
import { BREAKDOWNS, TIME_KEY, type ApiMetric, type Breakdown } from './apiVocabulary.js';
import type { StatsOrder } from './statsRequest.js';
import type { Bucket } from '../time/timeBuckets.js';

/** One group of a result: its bucket (index into the plan, -1 without time), keys and store metrics. */
export interface StatsRow {
  readonly bucket: number;
  /** One key per breakdown, in the request's breakdown order. */
  readonly keys: readonly (string | number)[];
  readonly values: Readonly<Partial<Record<Metric, number>>>;
}

/** Digits an error rate is rounded to. */
const RATE_DIGITS = 1e6;

/** Reads a store row (store metrics and columns) into a {@link StatsRow}. */
export function fromStoreRow(row: AggregateRow, breakdowns: readonly Breakdown[], bucket: number): StatsRow {
  const values: Partial<Record<Metric, number>> = {};
  for (const metric of METRICS) {
    const value = row[metric];
    if (typeof value === 'number') values[metric] = value;
  }
  return { bucket, keys: breakdowns.map((breakdown) => row[BREAKDOWNS[breakdown]] ?? ''), values };
}

/** A row of zeros for an empty bucket. */
export function emptyRow(bucket: number): StatsRow {
  return { bucket, keys: [], values: {} };
}

/** The value of an API metric in a row. */
export function metricValue(row: StatsRow, metric: ApiMetric): number {
  if (metric === 'error_rate') {
    const requests = row.values.requests ?? 0;
    return requests === 0 ? 0 : Math.round(((row.values.errors ?? 0) / requests) * RATE_DIGITS) / RATE_DIGITS;
  }
  return row.values[metric] ?? 0;
}

/** Compares text by code point, which is the UTF-8 byte order both engines sort by. */
export function compareText(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.codePointAt(index)!;
    const right = b.codePointAt(index)!;
    if (left !== right) return left < right ? -1 : 1;
    if (left > 0xffff) index++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  return compareText(String(a), String(b));
}

/** The comparator of an order: its keys, then the bucket and every breakdown ascending. */
export function rowComparator(order: readonly StatsOrder[], breakdowns: readonly Breakdown[]): (a: StatsRow, b: StatsRow) => number {
  const steps: ((a: StatsRow, b: StatsRow) => number)[] = [];
  const byKey = (by: StatsOrder['by']): ((a: StatsRow, b: StatsRow) => number) => {
    if (by === TIME_KEY) return (a, b) => a.bucket - b.bucket;
    const position = breakdowns.indexOf(by as Breakdown);
    if (position >= 0) return (a, b) => compareKeys(a.keys[position]!, b.keys[position]!);
    return (a, b) => compareKeys(metricValue(a, by as ApiMetric), metricValue(b, by as ApiMetric));
  };
  for (const key of order) {
    const compare = byKey(key.by);
    steps.push(key.direction === 'asc' ? compare : (a, b) => compare(b, a));
  }
  steps.push(byKey(TIME_KEY), ...breakdowns.map(byKey));
  return (a, b) => {
    for (const step of steps) {
      const result = step(a, b);
      if (result !== 0) return result;
    }
    return 0;
  };
}

/** Writes a row with API names: `time` label, breakdowns (`status_class` as `4xx`), metrics. */
export function toApiRow(row: StatsRow, breakdowns: readonly Breakdown[], metrics: readonly ApiMetric[], buckets: readonly Bucket[] | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (buckets) out[TIME_KEY] = buckets[row.bucket]?.label ?? '';
  breakdowns.forEach((breakdown, position) => {
    const key = row.keys[position] ?? '';
    out[breakdown] = breakdown === 'status_class' ? `${key}xx` : key;
  });
  for (const metric of metrics) out[metric] = metricValue(row, metric);
  return out;
}

/** The totals of a request: each API metric over the whole range. */
export function toTotals(row: StatsRow, metrics: readonly ApiMetric[]): Record<string, number> {
  return Object.fromEntries(metrics.map((metric) => [metric, metricValue(row, metric)]));
}
