/**
 * A reader in any time zone gets days, weeks and months cut at their own midnights: DST days of
 * 23 and 25 hours, half-hour zones, presets that follow the calendar, and the cases where the
 * store can bucket in UTC and where it cannot.
 */
import { describe, expect, it } from 'vitest';
import { resolveRange } from '../../plugins/query/time/dateRange.js';
import { planBuckets } from '../../plugins/query/time/timeBuckets.js';
import { canonicalTimeZone, isoWithOffset, startOfDay } from '../../plugins/query/time/zonedTime.js';

const HOUR = 3_600_000;
const NOW = new Date(Date.UTC(2024, 5, 30, 15, 30));

describe('time zones', () => {
  it('accepts IANA names as the runtime spells them, and nothing else', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    for (const bad of ['Mars/Base', '+02:00', 'UTC+2', '', 'Europe/Berlin\u0000', "UTC'--", 'x'.repeat(100)]) expect(canonicalTimeZone(bad), bad).toBeUndefined();
  });

  it('starts a day at local midnight, or at the first instant of a day whose midnight does not exist', () => {
    expect(new Date(startOfDay('Europe/Berlin', { year: 2024, month: 3, day: 31 })).toISOString()).toBe('2024-03-30T23:00:00.000Z');
    expect(new Date(startOfDay('Asia/Kolkata', { year: 2024, month: 6, day: 1 })).toISOString()).toBe('2024-05-31T18:30:00.000Z');
    // Santiago jumped from 00:00 to 01:00 on 8 September 2024: the day began at 01:00 local.
    expect(isoWithOffset('America/Santiago', startOfDay('America/Santiago', { year: 2024, month: 9, day: 8 }))).toBe('2024-09-08T01:00:00-03:00');
  });

  it('gives a DST day 23 or 25 hours, and labels each bucket with its own offset', () => {
    const spring = planBuckets('day', 'Europe/Berlin', startOfDay('Europe/Berlin', { year: 2024, month: 3, day: 30 }), startOfDay('Europe/Berlin', { year: 2024, month: 4, day: 2 }), 100);
    expect(spring.buckets.map((bucket) => (bucket.to - bucket.from) / HOUR)).toEqual([24, 23, 24]);
    expect(spring.buckets.map((bucket) => bucket.label)).toEqual(['2024-03-30T00:00:00+01:00', '2024-03-31T00:00:00+01:00', '2024-04-01T00:00:00+02:00']);
    const autumn = planBuckets('hour', 'America/New_York', startOfDay('America/New_York', { year: 2024, month: 11, day: 3 }), startOfDay('America/New_York', { year: 2024, month: 11, day: 4 }), 100);
    expect(autumn.buckets).toHaveLength(25);
    expect(autumn.buckets.map((bucket) => bucket.label).filter((label) => label.startsWith('2024-11-03T01'))).toEqual(['2024-11-03T01:00:00-04:00', '2024-11-03T01:00:00-05:00']);
  });

  it('lets the store bucket in UTC only where the boundaries are the same', () => {
    const range = (zone: string) => resolveRange({ preset: '7d' }, zone, NOW, 400);
    const aligned = (unit: 'hour' | 'day', zone: string) => planBuckets(unit, zone, range(zone).start, range(zone).end, 1000).alignedWithUtc;
    expect(aligned('day', 'UTC')).toBe(true);
    expect(aligned('hour', 'Asia/Tokyo')).toBe(true);
    expect(aligned('hour', 'Europe/Berlin')).toBe(true);
    expect(aligned('day', 'Europe/London')).toBe(false);
    expect(aligned('day', 'Europe/Berlin')).toBe(false);
    expect(aligned('hour', 'Asia/Kolkata')).toBe(false);
    expect(planBuckets('day', 'Europe/London', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 8), 100).alignedWithUtc).toBe(true);
  });

  it('starts weeks on Monday and months on the 1st, clipped to the range', () => {
    const range = resolveRange({ from: { year: 2024, month: 6, day: 5 }, to: { year: 2024, month: 6, day: 30 } }, 'UTC', NOW, 400);
    const weeks = planBuckets('week', 'UTC', range.start, range.end, 100);
    expect(weeks.buckets[0]).toMatchObject({ label: '2024-06-03T00:00:00Z', from: Date.UTC(2024, 5, 5) });
    expect(weeks.buckets.map((bucket) => bucket.label.slice(0, 10))).toEqual(['2024-06-03', '2024-06-10', '2024-06-17', '2024-06-24']);
    const months = planBuckets('month', 'Pacific/Auckland', resolveRange({ preset: '12mo' }, 'Pacific/Auckland', NOW, 400).start, Date.UTC(2024, 6, 1), 100);
    expect(months.buckets.map((bucket) => bucket.label.slice(0, 7))).toEqual([
      '2023-08', '2023-09', '2023-10', '2023-11', '2023-12', '2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06', '2024-07',
    ]);
  });

  it('reads presets from the clock in the zone: in Auckland it is already 1 July', () => {
    expect(resolveRange({ preset: 'today' }, 'UTC', NOW, 400)).toMatchObject({ from: { year: 2024, month: 6, day: 30 }, days: 1 });
    expect(resolveRange({ preset: 'today' }, 'Pacific/Auckland', NOW, 400)).toMatchObject({ from: { year: 2024, month: 7, day: 1 } });
    expect(resolveRange({ preset: '30d' }, 'UTC', NOW, 400)).toMatchObject({ from: { year: 2024, month: 6, day: 1 }, days: 30 });
    expect(resolveRange({ preset: 'month' }, 'UTC', NOW, 400)).toMatchObject({ from: { year: 2024, month: 6, day: 1 }, to: { year: 2024, month: 6, day: 30 } });
    expect(resolveRange({ preset: '12mo' }, 'UTC', NOW, 400)).toMatchObject({ from: { year: 2023, month: 7, day: 1 }, days: 366 });
  });
});
