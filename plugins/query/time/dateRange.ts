/**
 * Date ranges of analytics requests: a preset relative to the host's clock (`today`, `7d`, `30d`,
 * `month`, `12mo`) or two ISO dates, both days included, read in the request's time zone. A range
 * always covers whole local days: from the start of its first day to the start of the day after
 * its last.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import { addDays, addMonths, dateKey, dateText, daysBetween, startOfDay, wallTime, type CalendarDate } from './zonedTime.js';

/** The presets, relative to today in the request's zone. */
export const RANGE_PRESETS = ['today', '7d', '30d', 'month', '12mo'] as const;

/** A preset name. */
export type RangePreset = (typeof RANGE_PRESETS)[number];

/** A range as asked for: a preset, or two dates. */
export type RangeSpec = { readonly preset: RangePreset } | { readonly from: CalendarDate; readonly to: CalendarDate };

/** A range resolved to instants. */
export interface ResolvedRange {
  readonly preset: RangePreset | 'custom';
  /** First day, included. */
  readonly from: CalendarDate;
  /** Last day, included. */
  readonly to: CalendarDate;
  /** The first instant of `from` in the zone (unix ms). */
  readonly start: number;
  /** The first instant of the day after `to` (unix ms, excluded). */
  readonly end: number;
  /** Days covered. */
  readonly days: number;
}

/** The earliest and latest dates a range may touch: the store keeps 1970–2099 (with room for any zone). */
const FIRST_DATE: CalendarDate = { year: 1971, month: 1, day: 1 };
const LAST_DATE: CalendarDate = { year: 2099, month: 12, day: 30 };
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function rangeError(message: string): HearthError {
  return new HearthError('HEARTH_ERR_QUERY_RANGE', message);
}

/** Reads `YYYY-MM-DD` (a real calendar date) for the field `field`; throws naming it. */
export function parseIsoDate(text: string, field: string): CalendarDate {
  const match = ISO_DATE.exec(text);
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  if (!match) throw rangeError(`${field}: ${shown} is not a date; write YYYY-MM-DD, e.g. 2024-05-31`);
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
  if (check.getUTCFullYear() !== date.year || check.getUTCMonth() + 1 !== date.month || check.getUTCDate() !== date.day) {
    throw rangeError(`${field}: ${shown} is not a day of the calendar`);
  }
  if (dateKey(date) < dateKey(FIRST_DATE) || dateKey(date) > dateKey(LAST_DATE)) {
    throw rangeError(`${field}: ${shown} is outside ${dateText(FIRST_DATE)} .. ${dateText(LAST_DATE)}`);
  }
  return date;
}

function presetDates(preset: RangePreset, today: CalendarDate): { from: CalendarDate; to: CalendarDate } {
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case '7d':
      return { from: addDays(today, -6), to: today };
    case '30d':
      return { from: addDays(today, -29), to: today };
    case 'month':
      return { from: { ...today, day: 1 }, to: today };
    case '12mo':
      return { from: addMonths(today, -11), to: today };
  }
}

/**
 * Resolves a range in `zone` at `now`. Throws HEARTH_ERR_QUERY_RANGE for a reversed range or one
 * longer than `maxDays`.
 */
export function resolveRange(spec: RangeSpec, zone: string, now: Date, maxDays: number): ResolvedRange {
  let dates: { from: CalendarDate; to: CalendarDate };
  if ('preset' in spec) {
    const wall = wallTime(zone, now.getTime());
    dates = presetDates(spec.preset, { year: wall.year, month: wall.month, day: wall.day });
  } else {
    dates = { from: spec.from, to: spec.to };
    if (dateKey(dates.to) < dateKey(dates.from)) {
      throw rangeError(`range: to ${dateText(dates.to)} is before from ${dateText(dates.from)}; give the earlier date as 'from'`);
    }
  }
  const days = daysBetween(dates.from, dates.to) + 1;
  if (days > maxDays) {
    throw rangeError(`range: ${dateText(dates.from)} .. ${dateText(dates.to)} covers ${days} days; the limit is ${maxDays} (plugins.query.maxRangeDays)`);
  }
  if (dateKey(dates.from) < dateKey(FIRST_DATE) || dateKey(dates.to) > dateKey(LAST_DATE)) {
    throw rangeError(`range: ${dateText(dates.from)} .. ${dateText(dates.to)} is outside ${dateText(FIRST_DATE)} .. ${dateText(LAST_DATE)}`);
  }
  return {
    preset: 'preset' in spec ? spec.preset : 'custom',
    from: dates.from,
    to: dates.to,
    start: startOfDay(zone, dates.from),
    end: startOfDay(zone, addDays(dates.to, 1)),
    days,
  };
}
