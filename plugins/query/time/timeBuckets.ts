/**
 * Time buckets of a range in a time zone: local hours, days, Monday-started weeks and months.
 * Boundaries are computed here, from Intl's zone data, so both engines are asked about the same
 * instants. When a zone's boundaries inside the range fall where UTC's do (UTC itself, or hours
 * in a whole-hour zone) the store can bucket natively in one query; otherwise each bucket is
 * asked for on its own (see statsRunner.ts and the timezone note in docs/plugins/query.md).
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import type { TimeBucket } from '../../../core/services/analytics/aggregateQuery.js';
import { addDays, addMonths, isoWithOffset, mondayOf, nextHour, startOfDay, startOfHour, wallTime, type CalendarDate } from './zonedTime.js';

/** One bucket: `[start, end)` clipped to the range, labelled by its local start. */
export interface Bucket {
  /** Where the bucket starts (may lie before the range for weeks and months). */
  readonly start: number;
  /** The part of the bucket inside the range. */
  readonly from: number;
  readonly to: number;
  /** The bucket's start as local ISO 8601 with offset. */
  readonly label: string;
}

/** The buckets of a range, and whether the store's UTC buckets line up with them. */
export interface BucketPlan {
  readonly unit: TimeBucket;
  readonly zone: string;
  readonly buckets: readonly Bucket[];
  /** True when every boundary inside the range is also a UTC boundary of the same unit. */
  readonly alignedWithUtc: boolean;
}

function firstDate(unit: Exclude<TimeBucket, 'hour'>, date: CalendarDate): CalendarDate {
  if (unit === 'week') return mondayOf(date);
  if (unit === 'month') return { ...date, day: 1 };
  return date;
}

function nextDate(unit: Exclude<TimeBucket, 'hour'>, date: CalendarDate): CalendarDate {
  if (unit === 'week') return addDays(date, 7);
  if (unit === 'month') return addMonths(date, 1);
  return addDays(date, 1);
}

/**
 * Bucket starts covering `[start, end)`: the first at or before `start`, then every one before
 * `end`. Throws HEARTH_ERR_QUERY_RANGE when there would be more than `max`.
 */
export function bucketStarts(unit: TimeBucket, zone: string, start: number, end: number, max: number): number[] {
  const starts: number[] = [];
  const push = (boundary: number): void => {
    if (starts.length >= max) {
      throw new HearthError(
        'HEARTH_ERR_QUERY_RANGE',
        `dimensions: 'time:${unit}' over this range gives more than ${max} buckets (plugins.query.maxBuckets); choose a shorter range or a longer bucket`,
      );
    }
    starts.push(boundary);
  };
  if (unit === 'hour') {
    for (let boundary = startOfHour(zone, start); boundary < end; boundary = nextHour(zone, boundary)) push(boundary);
    return starts;
  }
  const wall = wallTime(zone, start);
  let date = firstDate(unit, { year: wall.year, month: wall.month, day: wall.day });
  for (let boundary = startOfDay(zone, date); boundary < end; boundary = startOfDay(zone, date)) {
    push(boundary);
    date = nextDate(unit, date);
  }
  return starts;
}

/** Plans the buckets of `[start, end)` in `zone`. */
export function planBuckets(unit: TimeBucket, zone: string, start: number, end: number, max: number): BucketPlan {
  const starts = bucketStarts(unit, zone, start, end, max);
  const buckets = starts.map((bucketStart, index) => ({
    start: bucketStart,
    from: Math.max(bucketStart, start),
    to: Math.min(starts[index + 1] ?? end, end),
    label: isoWithOffset(zone, bucketStart),
  }));
  let alignedWithUtc = zone === 'UTC';
  if (!alignedWithUtc) {
    const utc = bucketStarts(unit, 'UTC', start, end, max + 1);
    alignedWithUtc = utc.length === starts.length && starts.every((boundary, index) => index === 0 || boundary === utc[index]);
  }
  return { unit, zone, buckets, alignedWithUtc };
}

/** The index of the bucket holding `ms` (the last bucket starting at or before it; 0 before the first). */
export function bucketIndex(plan: BucketPlan, ms: number): number {
  let low = 0;
  let high = plan.buckets.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (plan.buckets[middle]!.start <= ms) low = middle;
    else high = middle - 1;
  }
  return low;
}
