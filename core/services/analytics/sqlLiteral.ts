/**
 * SQL literals for the two engines. Nothing the store sends is built from raw input: identifiers
 * come from allow-lists and every value goes through one of these functions. The engines quote
 * differently — ClickHouse reads `\` as an escape inside '…' (so `\` and `'` are both escaped with
 * `\`), DuckDB follows standard SQL (only `'` is special, doubled) — so each dialect has its own.
 */
import { HearthError } from '../../errors/HearthError.js';

/** The engines the store runs on. */
export type AnalyticsEngine = 'duckdb' | 'clickhouse';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Returns `name` when it is a plain identifier (letters, digits, `_`, not starting with a digit,
 * at most 63 characters) and throws otherwise. Used for the ClickHouse database name, the only
 * identifier that comes from configuration.
 */
export function checkIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new HearthError(
      'HEARTH_ERR_ANALYTICS_CONFIG',
      `${what} '${name}' is not a plain identifier; use letters, digits and '_' only, starting with a letter or '_'`,
    );
  }
  return name;
}

/** Strips the NUL character, which neither engine keeps inside a string value. */
function withoutNul(value: string): string {
  return value.includes('\0') ? value.replaceAll('\0', '') : value;
}

/** A ClickHouse string literal: `'` and `\` are escaped with a backslash. */
export function clickhouseString(value: string): string {
  return `'${withoutNul(value).replace(/[\\']/g, (char) => `\\${char}`)}'`;
}

/** A DuckDB (standard SQL) string literal: `'` is doubled; a backslash is an ordinary character. */
export function duckdbString(value: string): string {
  return `'${withoutNul(value).replaceAll("'", "''")}'`;
}

/** The string literal function of an engine. */
export function stringLiteral(engine: AnalyticsEngine): (value: string) => string {
  return engine === 'clickhouse' ? clickhouseString : duckdbString;
}

/** An integer literal; throws for anything that is not a safe integer (NaN, fractions, 1e300). */
export function integerLiteral(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString(10);
  if (!Number.isSafeInteger(value)) throw new RangeError(`'${String(value)}' is not a safe integer for SQL`);
  return String(value);
}

/** The last instant both engines' time columns hold (ClickHouse's DateTime ends in 2106). */
export const LATEST_STORABLE_MS = Date.UTC(2100, 0, 1);

function checkTime(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0 || ms >= LATEST_STORABLE_MS) {
    throw new RangeError(`'${String(ms)}' is not a time between 1970 and 2100`);
  }
}

/** `YYYY-MM-DD hh:mm:ss` in UTC for a unix time in milliseconds (seconds precision, floored). */
export function utcDateTimeText(ms: number): string {
  checkTime(ms);
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** `YYYY-MM-DD` in UTC for a unix time in milliseconds. */
export function utcDateText(ms: number): string {
  checkTime(ms);
  return new Date(ms).toISOString().slice(0, 10);
}
