/**
 * The functions templates can call: Go's builtins (and, or, not, eq, ne, lt, le, gt, ge, len,
 * index, print, printf, println, html, urlquery) and the helpers Prometheus and Alertmanager add
 * (humanize*, toUpper, toLower, title, join, match, reReplaceAll, safeHtml, stripPort, trimSpace).
 */
import { formatGoG, formatValue, goSprintf } from './goFormat.js';
import { TemplateError } from './templateParser.js';

/** A template function. */
export type TemplateFunction = (...args: unknown[]) => unknown;

/** Go's notion of a "true" value in `if`, `and`, `or`, `not`. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (!Number.isNaN(n) || value.trim().toLowerCase() === 'nan') return n;
  }
  throw new TemplateError(`'${formatValue(value)}' is not a number`);
}

function siPrefix(v: number, base: number, up: readonly string[], down: readonly string[]): [number, string] {
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of up) {
      if (Math.abs(v) < base) break;
      prefix = p;
      v /= base;
    }
  } else {
    for (const p of down) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= base;
    }
  }
  return [v, prefix];
}

function humanize(value: unknown): string {
  const v = num(value);
  if (v === 0 || !Number.isFinite(v)) return formatGoG(v, 4);
  const [scaled, prefix] = siPrefix(v, 1000, ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'], ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']);
  return formatGoG(scaled, 4) + prefix;
}

function humanize1024(value: unknown): string {
  const v = num(value);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return formatGoG(v, 4);
  const [scaled, prefix] = siPrefix(v, 1024, ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'], []);
  return formatGoG(scaled, 4) + prefix;
}

function humanizeDuration(value: unknown): string {
  let v = num(value);
  if (!Number.isFinite(v)) return formatGoG(v, 4);
  if (v === 0) return `${formatGoG(v, 4)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const total = Math.trunc(v);
    const seconds = total % 60;
    const minutes = Math.trunc(total / 60) % 60;
    const hours = Math.trunc(total / 3600) % 24;
    const days = Math.trunc(total / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${formatGoG(v, 4)}s`;
  }
  const [scaled, prefix] = siPrefix(v, 1000, [], ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']);
  return `${formatGoG(scaled, 4)}${prefix}s`;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const as = formatValue(a);
  const bs = formatValue(b);
  return as < bs ? -1 : as > bs ? 1 : 0;
}

/** Every function a template may call. */
export const TEMPLATE_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = Object.freeze({
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
  not: (a) => !truthy(a),
  eq: (a, ...rest) => rest.some((b) => compare(a, b) === 0),
  ne: (a, b) => compare(a, b) !== 0,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  len: (a) => (typeof a === 'string' || Array.isArray(a) ? a.length : a && typeof a === 'object' ? Object.keys(a).length : 0),
  index: (a, ...keys) => keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[formatValue(k)] : undefined), a),
  print: (...args) => args.map(formatValue).join(''),
  println: (...args) => `${args.map(formatValue).join(' ')}\n`,
  printf: (format, ...args) => goSprintf(formatValue(format), args),
  html: (a) => formatValue(a).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  urlquery: (a) => encodeURIComponent(formatValue(a)),
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage: (a) => `${formatGoG(num(a) * 100, 4)}%`,
  humanizeTimestamp: (a) => new Date(num(a) * 1000).toISOString().replace('T', ' ').replace('Z', ' +0000 UTC'),
  toUpper: (a) => formatValue(a).toUpperCase(),
  toLower: (a) => formatValue(a).toLowerCase(),
  title: (a) => formatValue(a).replace(/\b\p{L}/gu, (c) => c.toUpperCase()),
  trimSpace: (a) => formatValue(a).trim(),
  join: (sep, list) => (Array.isArray(list) ? list.map(formatValue).join(formatValue(sep)) : formatValue(list)),
  match: (re, text) => new RegExp(formatValue(re)).test(formatValue(text)),
  reReplaceAll: (re, repl, text) => formatValue(text).replace(new RegExp(formatValue(re), 'g'), formatValue(repl).replace(/\$\{(\d+)\}/g, '$$$1')),
  safeHtml: (a) => formatValue(a),
  stripPort: (a) => formatValue(a).replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'),
  stringSlice: (...args) => args.map(formatValue),
});
