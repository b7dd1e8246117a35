/**
 * Durations in Prometheus' notation (`1h30m`, `15s`, `500ms`, `2d`), as rule files and
 * Alertmanager configs write them. Internally every duration is a number of milliseconds.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  y: 365 * 24 * 3600_000,
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
const PART = /(\d+)(ms|y|w|d|h|m|s)/y;

/**
 * Parses a Prometheus duration into milliseconds. Units must appear from largest to smallest,
 * each at most once, as Prometheus requires. Returns undefined for anything else.
 */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text.length === 0 || text.length > 64) return undefined;
  let total = 0;
  let lastUnit = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) return undefined;
    const unitIndex = ORDER.indexOf(match[2]!);
    if (unitIndex <= lastUnit) return undefined;
    lastUnit = unitIndex;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Formats milliseconds the way Prometheus prints a duration (`1h30m`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = rest < 0 ? '-' : '';
  rest = Math.abs(rest);
  for (const unit of ORDER) {
    const size = UNIT_MS[unit]!;
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/**
 * Parses a config duration and throws a readable error naming where it came from.
 * `what` is the config path, e.g. `scrape.interval`.
 */
export function requireDuration(text: string, what: string, onError: (message: string) => never): number {
  const ms = parseDuration(text);
  if (ms === undefined) onError(`${what}: '${text}' is not a duration; write it like 15s, 5m, 1h30m or 500ms`);
  return ms;
}
