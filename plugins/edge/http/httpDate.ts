/**
 * HTTP dates (RFC 9110 §5.6.7), as If-Modified-Since, If-Unmodified-Since and If-Range carry them:
 * the IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` and the two obsolete forms recipients must still
 * read, RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994` — always
 * GMT, case-sensitive, and nothing else. `Date.parse` also takes `2100`, `9999` or `2099-01-01`,
 * which in an If-Modified-Since would make every file look unmodified; such a value is no date.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * RFC 850's two-digit year: the one in the century that puts it at most 50 years ahead of now
 * (RFC 9110 §5.6.7: a date further ahead is the latest past year with those digits).
 */
function fullYear(twoDigits: number): number {
  const now = new Date().getUTCFullYear();
  const year = now - (now % 100) + twoDigits;
  return year > now + 50 ? year - 100 : year;
}

function toMs(year: number, month: string, day: number, hour: string, minute: string, second: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const [h, m, s] = [Number(hour), Number(minute), Number(second)];
  if (h > 23 || m > 59 || s > 60) return undefined;
  // setUTCFullYear takes the year as written (Date.UTC reads 0-99 as 1900-1999); a day past the
  // month's end rolls over into the next month, which is how it is caught.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  if (day < 1 || date.getUTCMonth() !== monthIndex) return undefined;
  // A leap second (60) is a valid time of day; it is read as the next second.
  date.setUTCHours(h, m, s);
  return date.getTime();
}

/** A time cut to whole seconds, as an HTTP date holds it (ms). */
export function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** The time an HTTP date names, in ms since the epoch; undefined for anything that is not one. */
export function parseHttpDate(value: string): number | undefined {
  if (value.length > 40) return undefined;
  let match = IMF_FIXDATE.exec(value);
  if (match !== null) return toMs(Number(match[3]), match[2]!, Number(match[1]), match[4]!, match[5]!, match[6]!);
  match = RFC_850.exec(value);
  if (match !== null) return toMs(fullYear(Number(match[3])), match[2]!, Number(match[1]), match[4]!, match[5]!, match[6]!);
  match = ASCTIME.exec(value);
  if (match !== null) return toMs(Number(match[6]), match[1]!, Number(match[2]), match[3]!, match[4]!, match[5]!);
  return undefined;
}
