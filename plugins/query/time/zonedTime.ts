/**
 * Wall-clock time in an IANA time zone, computed with the runtime's Intl data (no library, no
 * engine): what local date and time an instant has, where a local day starts, and each instant's
 * offset. Both analytics engines get the instants this module computes, so a zone's rules (DST,
 * half-hour offsets, midnights that do not exist) give the same answer on either engine.
 */

/** A calendar date, without a zone. `month` is 1–12. */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A local date and time (seconds precision). */
export interface WallTime extends CalendarDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** IANA names are letters, digits, `_`, `+`, `-` and `/`; this also refuses offsets like `+01:00`. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/**
 * An IANA time zone name as the runtime spells it (`europe/berlin` -> `Europe/Berlin`; a known
 * alias such as `Asia/Kolkata` is kept as given), or undefined when the runtime does not know the
 * name. Only names are accepted, not offsets.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!ZONE_NAME.test(name)) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    const zone = resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
    formatter(zone);
    return zone;
  } catch {
    return undefined;
  }
}

/** The local date and time of an instant (milliseconds are dropped). */
export function wallTime(zone: string, ms: number): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(Math.floor(ms / SECOND) * SECOND)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at an instant, in milliseconds (+3,600,000 for CET). */
export function offsetAt(zone: string, ms: number): number {
  const wall = wallTime(zone, ms);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - Math.floor(ms / SECOND) * SECOND;
}

/** `year*10000 + month*100 + day`: dates compare as numbers. */
export function dateKey(date: CalendarDate): number {
  return date.year * 10_000 + date.month * 100 + date.day;
}

/** The date `days` after (or before) a date, on the calendar. */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** The first day of the month `months` after (or before) a date's month. */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: 1 };
}

/** The Monday on or before a date (weeks start on Monday, as ISO 8601 and both engines say). */
export function mondayOf(date: CalendarDate): CalendarDate {
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round((Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / DAY);
}

/**
 * The first instant of a local day: its midnight, or — where midnight does not exist that day
 * (a DST jump at 00:00) — the first instant that is on that date.
 */
export function startOfDay(zone: string, date: CalendarDate): number {
  const key = dateKey(date);
  const target = Date.UTC(date.year, date.month - 1, date.day);
  let guess = target - offsetAt(zone, target);
  guess = target - offsetAt(zone, guess);
  const isStart = (ms: number): boolean => dateKey(wallTime(zone, ms)) === key && dateKey(wallTime(zone, ms - SECOND)) < key;
  if (isStart(guess)) return guess;
  // Rare: search the second at which the local date becomes `date`. Offsets stay within ±26 h.
  let low = target - 26 * HOUR;
  let high = target + 26 * HOUR;
  while (high - low > SECOND) {
    const middle = low + Math.floor((high - low) / 2 / SECOND) * SECOND;
    if (dateKey(wallTime(zone, middle)) >= key) high = middle;
    else low = middle;
  }
  return high;
}

/** The local hour boundary at or before an instant (the last instant whose minute and second are 0). */
export function startOfHour(zone: string, ms: number): number {
  const wall = wallTime(zone, ms);
  return Math.floor(ms / SECOND) * SECOND - (wall.minute * 60 + wall.second) * SECOND;
}

/** The next local hour boundary after an hour boundary (one hour later in all but odd zones). */
export function nextHour(zone: string, boundary: number): number {
  let next = boundary + HOUR;
  const wall = wallTime(zone, next);
  // A zone whose offset moved by a part of an hour (Lord Howe's 30-minute DST) realigns on :00.
  if (wall.minute !== 0 || wall.second !== 0) {
    const aligned = next - (wall.minute * 60 + wall.second) * SECOND;
    next = aligned > boundary ? aligned : aligned + HOUR;
  }
  return next;
}

/** An instant as local ISO 8601 with its offset: `2024-03-31T00:00:00+01:00` (`Z` at offset 0). */
export function isoWithOffset(zone: string, ms: number): string {
  const wall = wallTime(zone, ms);
  const offset = offsetAt(zone, ms) / 60_000;
  const two = (value: number): string => String(value).padStart(2, '0');
  const sign = offset < 0 ? '-' : '+';
  const zoneText = offset === 0 ? 'Z' : `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  return `${String(wall.year).padStart(4, '0')}-${two(wall.month)}-${two(wall.day)}T${two(wall.hour)}:${two(wall.minute)}:${two(wall.second)}${zoneText}`;
}

/** A calendar date as `YYYY-MM-DD`. */
export function dateText(date: CalendarDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}
