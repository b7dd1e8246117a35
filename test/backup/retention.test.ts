import { describe, expect, it } from 'vitest';
import { applyRetention, isoWeek, type RetentionPolicy } from '../../plugins/backup/repository/retention.js';

const at = (iso: string) => ({ name: iso, time: new Date(iso) });
const kept = (times: string[], policy: RetentionPolicy) => applyRetention(times.map(at), policy).keep.map((s) => s.name);

describe('retention with restic forget semantics', () => {
  const days = Array.from({ length: 14 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}T03:00:00Z`);

  it('keep-last keeps the newest n', () => {
    expect(kept(days, { last: 3 })).toEqual([days[13], days[12], days[11]]);
  });

  it('keep-daily keeps the newest snapshot of each of the last n days that have one', () => {
    const twiceADay = ['2024-03-01T01:00:00Z', '2024-03-01T13:00:00Z', '2024-03-02T01:00:00Z', '2024-03-02T13:00:00Z', '2024-03-03T01:00:00Z', '2024-03-05T13:00:00Z'];
    expect(kept(twiceADay, { daily: 3 })).toEqual(['2024-03-05T13:00:00Z', '2024-03-03T01:00:00Z', '2024-03-02T13:00:00Z']);
  });

  it('a snapshot kept by daily also counts for weekly (2 daily + 2 weekly over two weeks keeps 3)', () => {
    // 2024-01-01 is a Monday: days 1-7 are ISO week 1, days 8-14 week 2.
    const decision = applyRetention(days.map(at), { daily: 2, weekly: 2 });
    expect(decision.keep.map((s) => s.name)).toEqual([days[13], days[12], days[6]]);
    expect(decision.reasons.get(decision.keep[0]!)).toEqual(['daily', 'weekly']);
    expect(decision.reasons.get(decision.keep[2]!)).toEqual(['weekly']);
    expect(decision.remove).toHaveLength(11);
  });

  it('weeks follow ISO 8601 across the new year (2021-01-03 is still week 53 of 2020)', () => {
    expect(isoWeek(new Date('2020-12-31T12:00:00Z'))).toBe(202053);
    expect(isoWeek(new Date('2021-01-03T12:00:00Z'))).toBe(202053);
    expect(isoWeek(new Date('2021-01-04T00:00:00Z'))).toBe(202101);
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).toBe(202501);
    expect(kept(['2020-12-31T10:00:00Z', '2021-01-03T10:00:00Z', '2021-01-04T10:00:00Z'], { weekly: 2 })).toEqual(['2021-01-04T10:00:00Z', '2021-01-03T10:00:00Z']);
  });

  it('hourly, monthly and yearly rules on a calendar spanning two years', () => {
    const calendar = [
      '2022-11-15T08:00:00Z', '2022-12-31T23:00:00Z', '2023-01-31T10:00:00Z', '2023-02-01T09:00:00Z',
      '2023-02-28T09:15:00Z', '2023-02-28T09:45:00Z', '2023-02-28T10:05:00Z', '2023-02-28T11:00:00Z',
    ];
    expect(kept(calendar, { hourly: 2 })).toEqual(['2023-02-28T11:00:00Z', '2023-02-28T10:05:00Z']);
    expect(kept(calendar, { monthly: 3 })).toEqual(['2023-02-28T11:00:00Z', '2023-01-31T10:00:00Z', '2022-12-31T23:00:00Z']);
    expect(kept(calendar, { yearly: 5 })).toEqual(['2023-02-28T11:00:00Z', '2022-12-31T23:00:00Z']);
    expect(kept(calendar, { last: 1, monthly: 1, yearly: 2 })).toEqual(['2023-02-28T11:00:00Z', '2022-12-31T23:00:00Z']);
  });

  it('-1 keeps every period, and an empty policy keeps everything', () => {
    expect(kept(days, { daily: -1 })).toHaveLength(14);
    expect(kept(days, {})).toHaveLength(14);
    expect(kept(days, { last: 0, daily: 0 })).toHaveLength(14);
  });
});
