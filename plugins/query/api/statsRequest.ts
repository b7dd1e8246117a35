/**
 * Reads a stats request (the JSON body of `POST /v1/stats`, or the query string of the GET form
 * after queryString.ts) into a checked {@link StatsRequest}. Every field is checked against an
 * allow-list or a pattern; a failure is a 400 whose message starts with the field's name.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import { REQUEST_LIMITS } from '../config.js';
import { RANGE_PRESETS, parseIsoDate, type RangePreset, type RangeSpec } from '../time/dateRange.js';
import { canonicalTimeZone } from '../time/zonedTime.js';
import {
  API_METRICS,
  BOT_MODES,
  DIMENSION_NAMES,
  TIME_KEY,
  isBreakdown,
  isTimeDimension,
  type ApiDimension,
  type ApiMetric,
  type BotMode,
  type Breakdown,
  type TimeDimension,
} from './apiVocabulary.js';
import { readFilters, type StatsFilter } from './statsFilters.js';
import { badField, describeValue } from './fieldErrors.js';

/** One ordering key: a requested metric, a requested breakdown, or `time`. */
export interface StatsOrder {
  readonly by: ApiMetric | Breakdown | typeof TIME_KEY;
  readonly direction: 'asc' | 'desc';
}

/** A checked request. */
export interface StatsRequest {
  readonly site: string;
  readonly range: RangeSpec;
  /** Canonical IANA name. */
  readonly timezone: string;
  readonly metrics: readonly ApiMetric[];
  /** Dimensions in the order asked. */
  readonly dimensions: readonly ApiDimension[];
  readonly time: TimeDimension | undefined;
  readonly breakdowns: readonly Breakdown[];
  readonly filters: readonly StatsFilter[];
  readonly bots: BotMode;
  /** As asked; empty means the default order. */
  readonly order: readonly StatsOrder[];
  readonly limit: number;
  readonly offset: number;
  /** Whether `meta.totals` is wanted (one more store query when there are dimensions). */
  readonly totals: boolean;
}

const FIELDS = ['site', 'range', 'timezone', 'metrics', 'dimensions', 'filters', 'bots', 'order', 'limit', 'offset', 'totals'] as const;
/** Site names as the host file writes them (see core/config/schemaTypes.ts SiteName). */
const SITE_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

function stringList(value: unknown, field: string, max: number): string[] {
  if (!Array.isArray(value)) throw badField(field, `must be a list of names, got ${describeValue(value)}`);
  if (value.length > max) throw badField(field, `lists ${value.length} entries; at most ${max} are allowed`);
  return value.map((entry, index) => {
    if (typeof entry !== 'string') throw badField(`${field}[${index}]`, `must be a name, got ${describeValue(entry)}`);
    return entry;
  });
}

function readSite(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw badField('site', `is required: the site's name as under 'sites' in the host file, got ${describeValue(value)}`);
  if (!SITE_NAME.test(value)) throw badField('site', `${describeValue(value)} is not a site name (lower-case host name, e.g. example.com)`);
  return value;
}

function readRange(value: unknown): RangeSpec {
  if (value === undefined) return { preset: '30d' };
  if (typeof value === 'string') {
    if ((RANGE_PRESETS as readonly string[]).includes(value)) return { preset: value as RangePreset };
    throw badField('range', `${describeValue(value)} is not a range; use one of ${RANGE_PRESETS.join(', ')} or {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badField('range', `must be a preset name or {"from","to"}, got ${describeValue(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== 'from' && key !== 'to') throw badField(`range.${key}`, `is not a field of a range; a range has 'from' and 'to'`);
  for (const key of ['from', 'to'] as const) {
    if (typeof record[key] !== 'string') throw badField(`range.${key}`, `is required as YYYY-MM-DD, got ${describeValue(record[key])}`);
  }
  return { from: parseIsoDate(record.from as string, 'range.from'), to: parseIsoDate(record.to as string, 'range.to') };
}

function readTimezone(value: unknown): string {
  if (value === undefined) return 'UTC';
  const zone = typeof value === 'string' ? canonicalTimeZone(value) : undefined;
  if (!zone) {
    throw new HearthError('HEARTH_ERR_QUERY_TIMEZONE', `timezone: ${describeValue(value)} is not an IANA time zone; write a name like Europe/Berlin, America/New_York or UTC`);
  }
  return zone;
}

function readMetrics(value: unknown): ApiMetric[] {
  if (value === undefined) return ['visitors', 'pageviews'];
  const names = stringList(value, 'metrics', API_METRICS.length);
  if (names.length === 0) throw badField('metrics', `needs at least one of ${API_METRICS.join(', ')}`);
  names.forEach((name, index) => {
    if (!(API_METRICS as readonly string[]).includes(name)) throw badField(`metrics[${index}]`, `unknown metric ${describeValue(name)}; known: ${API_METRICS.join(', ')}`);
    if (names.indexOf(name) !== index) throw badField(`metrics[${index}]`, `${describeValue(name)} is listed twice`);
  });
  return names as ApiMetric[];
}

function readDimensions(value: unknown): ApiDimension[] {
  if (value === undefined) return [];
  const names = stringList(value, 'dimensions', REQUEST_LIMITS.maxDimensions);
  names.forEach((name, index) => {
    if (!isTimeDimension(name) && !isBreakdown(name)) throw badField(`dimensions[${index}]`, `unknown dimension ${describeValue(name)}; known: ${DIMENSION_NAMES.join(', ')}`);
    if (names.indexOf(name) !== index) throw badField(`dimensions[${index}]`, `${describeValue(name)} is listed twice`);
    if (isTimeDimension(name) && names.findIndex(isTimeDimension) !== index) throw badField(`dimensions[${index}]`, 'only one time dimension may be asked for');
  });
  return names as ApiDimension[];
}

function readOrder(value: unknown, metrics: readonly string[], dimensions: readonly ApiDimension[]): StatsOrder[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badField('order', `must be a list of {"by","direction"}, got ${describeValue(value)}`);
  if (value.length > REQUEST_LIMITS.maxOrderKeys) throw badField('order', `lists ${value.length} keys; at most ${REQUEST_LIMITS.maxOrderKeys} are allowed`);
  const keys = new Set<string>([...metrics, ...dimensions.filter(isBreakdown), ...(dimensions.some(isTimeDimension) ? [TIME_KEY] : [])]);
  return value.map((entry: unknown, index) => {
    const field = `order[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw badField(field, `must be {"by","direction"}, got ${describeValue(entry)}`);
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record)) if (key !== 'by' && key !== 'direction') throw badField(`${field}.${key}`, `is not a field of an order key; use 'by' and 'direction'`);
    const by = typeof record.by === 'string' && isTimeDimension(record.by) ? TIME_KEY : record.by;
    if (typeof by !== 'string' || !keys.has(by)) {
      throw badField(`${field}.by`, `${describeValue(record.by)} is not a metric or dimension of this request; order by one of ${[...keys].join(', ')}`);
    }
    const direction = record.direction ?? 'desc';
    if (direction !== 'asc' && direction !== 'desc') throw badField(`${field}.direction`, `must be 'asc' or 'desc', got ${describeValue(direction)}`);
    return { by: by as StatsOrder['by'], direction };
  });
}

function readCount(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw badField(field, `must be a whole number from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

/** Checks a request body (or the object the GET form was turned into). */
export function readStatsRequest(body: unknown): StatsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badField('body', `must be a JSON object, got ${describeValue(body)}`);
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw badField(key, `is not a field of a stats request; fields: ${FIELDS.join(', ')}`);
  }
  const site = readSite(input.site);
  const range = readRange(input.range);
  const timezone = readTimezone(input.timezone);
  const metrics = readMetrics(input.metrics);
  const dimensions = readDimensions(input.dimensions);
  const filters = readFilters(input.filters);
  const bots = input.bots ?? 'exclude';
  if (!(BOT_MODES as readonly unknown[]).includes(bots)) throw badField('bots', `must be one of ${BOT_MODES.join(', ')}, got ${describeValue(bots)}`);
  const order = readOrder(input.order, metrics, dimensions);
  const limit = readCount(input.limit, 'limit', REQUEST_LIMITS.defaultLimit, 1, REQUEST_LIMITS.maxLimit);
  const offset = readCount(input.offset, 'offset', 0, 0, REQUEST_LIMITS.maxRows - limit);
  const totals = input.totals ?? true;
  if (typeof totals !== 'boolean') throw badField('totals', `must be true or false, got ${describeValue(totals)}`);
  return {
    site,
    range,
    timezone,
    metrics,
    dimensions,
    time: dimensions.find(isTimeDimension),
    breakdowns: dimensions.filter(isBreakdown),
    filters,
    bots: bots as BotMode,
    order,
    limit,
    offset,
    totals,
  };
}
