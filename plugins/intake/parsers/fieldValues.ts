/**
 * Small, strict readers for the values log formats carry: decimal integers, `-` for "none", times
 * in the shapes the formats use. Each returns NaN or undefined for anything it does not recognise,
 * so a parser can name the line's problem instead of storing a guess.
 */

/** True for 1 to 16 ASCII digits (a loop: this runs for several fields of every line). */
function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 16) return false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char < 0x30 || char > 0x39) return false;
  }
  return true;
}

/** A non-negative decimal integer of at most 16 digits, else NaN. */
export function readUnsigned(text: string): number {
  return isDigits(text) ? Number(text) : Number.NaN;
}

/** A number from JSON or text (`12`, `12.5`, `"12"`), else NaN. */
export function readNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'string' && /^-?\d{1,16}(\.\d{1,12})?(e[+-]?\d{1,3})?$/i.test(value)) return Number(value);
  return Number.NaN;
}

/** A log's "nothing here" (`-`, empty) as undefined, anything else as itself. */
export function orNone(text: string | undefined): string | undefined {
  return text === undefined || text === '' || text === '-' ? undefined : text;
}

/** A unix time in seconds or milliseconds (told apart by size) or an ISO 8601 string, as milliseconds. */
export function readUnixOrIso(value: unknown): number {
  if (typeof value === 'string' && isDigits(value)) {
    const integer = Number(value);
    return integer < 1e11 ? integer * 1000 : integer;
  }
  if (typeof value === 'string' && !/^\d+(\.\d+)?$/.test(value)) {
    return /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(value) ? Date.parse(value) : Number.NaN;
  }
  const number = readNumber(value);
  if (Number.isNaN(number) || number < 0) return Number.NaN;
  // Below 10^11 a value is seconds (that is the year 5138 in seconds, 1973 in milliseconds).
  return number < 1e11 ? Math.round(number * 1000) : Math.round(number);
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};
const CLF_TIME = /^(\d\d)\/([A-Z][a-z]{2})\/(\d{4}):(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? ([+-])(\d\d)(\d\d)$/;

/** The common log format's `10/Oct/2000:13:55:36 -0700` as unix milliseconds, else NaN. */
export function readClfTime(text: string): number {
  const match = CLF_TIME.exec(text);
  if (!match) return Number.NaN;
  const [, day, monthName, year, hour, minute, second, fraction, sign, offsetHours, offsetMinutes] = match;
  const month = MONTHS[monthName!];
  if (month === undefined) return Number.NaN;
  const local = Date.UTC(Number(year), month, Number(day), Number(hour), Number(minute), Number(second), Math.round(Number(`0.${fraction ?? '0'}`) * 1000));
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  return sign === '+' ? local - offset : local + offset;
}

/** A Go-style duration (`1.5ms`, `2s`, `350µs`) or plain seconds, as milliseconds; undefined if unreadable. */
export function readDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m)$/.exec(value);
  if (!match) return undefined;
  const scale = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000 }[match[2] as 'ns'];
  return Number(match[1]) * scale;
}

/** Undoes nginx's `\xHH` and Apache's `\"`/`\\` escapes inside a quoted log field. */
export function unescapeLogField(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x5c && text[index + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(index + 2, index + 4))) {
      bytes.push(Number.parseInt(text.slice(index + 2, index + 4), 16));
      index += 3;
    } else if (char === 0x5c && (text[index + 1] === '"' || text[index + 1] === '\\')) {
      bytes.push(text.charCodeAt(index + 1));
      index += 1;
    } else {
      for (const byte of Buffer.from(text[index]!, 'utf8')) bytes.push(byte);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
