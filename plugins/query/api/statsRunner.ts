/**
 * Answers a checked stats request with the analytics store: resolves the range in the request's
 * zone, runs the store queries (one per bucket when the zone's buckets do not line up with UTC's,
 * since the store buckets in UTC), fills empty time buckets with zeros, sorts and pages, and adds
 * the totals. Everything after the store is plain code over integers, so both engines give the
 * same answer byte for byte.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import type { AggregateQuery, AggregateRow } from '../../../core/services/analytics/aggregateQuery.js';
import { REQUEST_LIMITS } from '../config.js';
import { resolveRange, type ResolvedRange } from '../time/dateRange.js';
import { bucketIndex, planBuckets, type BucketPlan } from '../time/timeBuckets.js';
import { dateText, isoWithOffset } from '../time/zonedTime.js';
import { BREAKDOWNS, TIME_DIMENSIONS } from './apiVocabulary.js';
import type { StatsRequest } from './statsRequest.js';
import { emptyRow, fromStoreRow, rowComparator, toApiRow, toTotals, type StatsRow } from './statsRows.js';
import { effectiveOrder, needsCodeSort, queryBase, storeOrder, type QueryBase } from './storeQuery.js';

/** What answering needs: a way to run store queries, the time, and the limits. */
export interface StatsContext {
  readonly aggregate: (query: AggregateQuery) => Promise<AggregateRow[]>;
  readonly now: Date;
  readonly maxRangeDays: number;
  readonly maxBuckets: number;
  /** Store queries run at once when a request is answered bucket by bucket. */
  readonly concurrency: number;
}

/** The JSON answer (the route adds `engine` and `took_ms` to `meta`). */
export interface StatsAnswer {
  readonly data: Record<string, string | number>[];
  readonly meta: Record<string, unknown>;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Fetched {
  readonly rows: StatsRow[];
  /** False when a code-sorted result may miss groups beyond the store's row ceiling. */
  readonly complete: boolean;
}

/** Rows a store query must return: the page and one more (to tell if there is a next page), or all it can when sorting here. */
function rowsWantedOf(request: StatsRequest): number {
  return needsCodeSort(effectiveOrder(request)) ? REQUEST_LIMITS.maxSortedRows : request.offset + request.limit + 1;
}

async function fetchRows(request: StatsRequest, base: QueryBase, range: ResolvedRange, plan: BucketPlan | undefined, context: StatsContext): Promise<Fetched> {
  const order = effectiveOrder(request);
  const codeSorted = needsCodeSort(order);
  const rowsWanted = rowsWantedOf(request);
  const groupBy = request.breakdowns.map((breakdown) => BREAKDOWNS[breakdown]);
  const ordered = (withBucket: boolean): Pick<AggregateQuery, 'orderBy'> => {
    const keys = codeSorted ? [] : storeOrder(order, withBucket);
    return keys.length > 0 ? { orderBy: keys } : {};
  };
  // Only a code-sorted result can miss groups: the store chose its rows by another order.
  const isComplete = (count: number): boolean => !codeSorted || count < REQUEST_LIMITS.maxSortedRows;
  const whole = { ...base, from: new Date(range.start), to: new Date(range.end) };
  if (!plan) {
    const rows = await context.aggregate({ ...whole, groupBy, ...ordered(false), limit: rowsWanted });
    return { rows: rows.map((row) => fromStoreRow(row, request.breakdowns, -1)), complete: isComplete(rows.length) };
  }
  if (plan.alignedWithUtc) {
    // Time alone: every bucket comes back (at most maxBuckets), then empty ones are filled.
    const limit = groupBy.length === 0 ? Math.min(plan.buckets.length + 1, REQUEST_LIMITS.maxSortedRows) : rowsWanted;
    const rows = await context.aggregate({ ...whole, groupBy, bucket: plan.unit, ...ordered(true), limit });
    const bucketOf = (row: AggregateRow): number => bucketIndex(plan, Math.max(Date.parse(String(row.bucket)), range.start));
    return { rows: rows.map((row) => fromStoreRow(row, request.breakdowns, bucketOf(row))), complete: groupBy.length === 0 || isComplete(rows.length) };
  }
  const perBucketLimit = bucketQueryLimit(request, plan);
  let complete = true;
  const perBucket = await mapLimited(plan.buckets, context.concurrency, async (bucket, index) => {
    const query = { ...base, from: new Date(bucket.from), to: new Date(bucket.to), groupBy, ...ordered(false) };
    // Without breakdowns a bucket's query returns its one row of sums (zeros when empty).
    const rows = await context.aggregate(groupBy.length > 0 ? { ...query, limit: perBucketLimit } : query);
    complete &&= !codeSorted || rows.length < perBucketLimit;
    return rows.map((row) => fromStoreRow(row, request.breakdowns, index));
  });
  return { rows: perBucket.flat(), complete };
}

/**
 * Rows each bucket's query may return when a request is answered bucket by bucket, within the
 * request's budgets; throws HEARTH_ERR_QUERY_RANGE for a request over them.
 */
function bucketQueryLimit(request: StatsRequest, plan: BucketPlan): number {
  const buckets = plan.buckets.length;
  const codeSorted = needsCodeSort(effectiveOrder(request));
  const rowsWanted = rowsWantedOf(request);
  const fix = 'use a longer bucket, a shorter range, a smaller page, or a zone whose boundaries are UTC\'s';
  if (buckets > REQUEST_LIMITS.maxBucketQueries) {
    throw new HearthError(
      'HEARTH_ERR_QUERY_RANGE',
      `dimensions: ${buckets} '${request.time}' buckets in ${request.timezone} are asked for one by one (the store buckets in UTC only); at most ${REQUEST_LIMITS.maxBucketQueries}: ${fix}`,
    );
  }
  if (codeSorted) return Math.max(1, Math.min(REQUEST_LIMITS.maxSortedRows, Math.floor(REQUEST_LIMITS.maxFetchedRows / buckets)));
  if (request.breakdowns.length > 0 && buckets * rowsWanted > REQUEST_LIMITS.maxFetchedRows) {
    throw new HearthError(
      'HEARTH_ERR_QUERY_RANGE',
      `dimensions: ${buckets} buckets of up to ${rowsWanted} rows each in ${request.timezone} exceed ${REQUEST_LIMITS.maxFetchedRows} rows; ${fix}`,
    );
  }
  return rowsWanted;
}

function fillBuckets(rows: readonly StatsRow[], plan: BucketPlan): StatsRow[] {
  const byBucket = new Map(rows.map((row) => [row.bucket, row]));
  return plan.buckets.map((_bucket, index) => byBucket.get(index) ?? emptyRow(index));
}

/** Answers a request. Throws HEARTH_ERR_QUERY_RANGE for ranges and buckets over the limits. */
export async function answerStats(request: StatsRequest, context: StatsContext): Promise<StatsAnswer> {
  const range = resolveRange(request.range, request.timezone, context.now, context.maxRangeDays);
  const plan = request.time ? planBuckets(TIME_DIMENSIONS[request.time], request.timezone, range.start, range.end, context.maxBuckets) : undefined;
  // Refuse a request over the budgets of bucket-by-bucket answers before any query runs.
  if (plan && !plan.alignedWithUtc) bucketQueryLimit(request, plan);
  const base = queryBase(request);
  const grouped = request.dimensions.length > 0;
  // Without dimensions the one row is the totals; with them, totals are one more query, if wanted.
  const [totalRows, fetched] = await Promise.all([
    !grouped || request.totals ? context.aggregate({ ...base, from: new Date(range.start), to: new Date(range.end) }) : Promise.resolve(undefined),
    grouped ? fetchRows(request, base, range, plan, context) : Promise.resolve(undefined),
  ]);
  const totals = totalRows ? fromStoreRow(totalRows[0] ?? {}, [], -1) : undefined;
  let rows = fetched ? fetched.rows : totals ? [totals] : [];
  if (plan && request.breakdowns.length === 0) rows = fillBuckets(rows, plan);
  rows.sort(rowComparator(effectiveOrder(request), request.breakdowns));
  const end = request.offset + request.limit;
  const page = rows.slice(request.offset, end);
  return {
    data: page.map((row) => toApiRow(row, request.breakdowns, request.metrics, plan?.buckets)),
    meta: {
      site: request.site,
      range: {
        preset: range.preset,
        from: dateText(range.from),
        to: dateText(range.to),
        start: isoWithOffset(request.timezone, range.start),
        end: isoWithOffset(request.timezone, range.end),
        days: range.days,
      },
      timezone: request.timezone,
      metrics: request.metrics,
      dimensions: request.dimensions,
      bots: request.bots,
      ...(totals ? { totals: toTotals(totals, request.metrics) } : {}),
      ...(plan ? { buckets: plan.buckets.length } : {}),
      rows: page.length,
      limit: request.limit,
      offset: request.offset,
      next_offset: rows.length > end ? end : null,
      complete: fetched?.complete ?? true,
    },
  };
}
