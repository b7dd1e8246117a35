/**
 * Filters of a stats request: `is` (equal to one of the values), `is_not` (equal to none of
 * them) and `contains` (the text contains the value) on any breakdown. Values are checked for
 * their dimension's kind and size here; they reach SQL only through the store's escapers.
 */
import { REQUEST_LIMITS } from '../config.js';
import { BREAKDOWNS, FILTER_OPS, isBreakdown, isNumericBreakdown, isTimeDimension, type Breakdown, type FilterOp } from './apiVocabulary.js';
import { badField, describeValue } from './fieldErrors.js';

/** A checked filter; numeric breakdowns carry numbers (status 404, status class 4). */
export interface StatsFilter {
  readonly dimension: Breakdown;
  readonly op: FilterOp;
  readonly values: readonly (string | number)[];
}

const STATUS_CLASS = /^([1-5])(?:xx)?$/;
/** A UTF-16 surrogate without its partner: not a character, and not encodable as UTF-8. */
/** Control characters: stored values never hold one (the store turns them into spaces). */
const CONTROL = /[\x00-\x1f\x7f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function readValue(dimension: Breakdown, value: unknown, field: string): string | number {
  if (dimension === 'status') {
    const number = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 100 || number > 599) {
      throw badField(field, `a status is a number from 100 to 599, got ${describeValue(value)}`);
    }
    return number;
  }
  if (dimension === 'status_class') {
    const match = typeof value === 'number' ? STATUS_CLASS.exec(String(value)) : typeof value === 'string' ? STATUS_CLASS.exec(value) : null;
    if (!match) throw badField(field, `a status class is 1xx, 2xx, 3xx, 4xx or 5xx, got ${describeValue(value)}`);
    return Number(match[1]);
  }
  if (typeof value !== 'string') throw badField(field, `'${dimension}' is text; give a string, got ${describeValue(value)}`);
  if (value.length > REQUEST_LIMITS.maxFilterValueChars) {
    throw badField(field, `is ${value.length} characters long; the limit is ${REQUEST_LIMITS.maxFilterValueChars}`);
  }
  if (LONE_SURROGATE.test(value)) throw badField(field, 'is not well-formed Unicode (it holds a lone surrogate)');
  if (CONTROL.test(value)) throw badField(field, 'holds a control character; stored values never do (the store keeps them as spaces)');
  return value;
}

function readFilter(entry: unknown, index: number): StatsFilter {
  const field = `filters[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw badField(field, `must be {"dimension","op","value"}, got ${describeValue(entry)}`);
  }
  const record = entry as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'dimension' && key !== 'op' && key !== 'value') throw badField(`${field}.${key}`, `is not a field of a filter; use 'dimension', 'op' and 'value'`);
  }
  const dimension = record.dimension;
  if (typeof dimension === 'string' && isTimeDimension(dimension)) {
    throw badField(`${field}.dimension`, `${describeValue(dimension)} cannot be filtered; narrow the time with 'range'`);
  }
  if (typeof dimension !== 'string' || !isBreakdown(dimension)) {
    throw badField(`${field}.dimension`, `unknown dimension ${describeValue(dimension)}; filter on one of ${Object.keys(BREAKDOWNS).join(', ')}`);
  }
  const op = record.op;
  if (typeof op !== 'string' || !(FILTER_OPS as readonly string[]).includes(op)) {
    throw badField(`${field}.op`, `must be one of ${FILTER_OPS.join(', ')}, got ${describeValue(op)}`);
  }
  if (op === 'contains' && isNumericBreakdown(dimension)) {
    throw badField(`${field}.op`, `'contains' applies to text; '${dimension}' is a number, use 'is' or 'is_not' with a list of values`);
  }
  const raw = record.value;
  if (raw === undefined) throw badField(`${field}.value`, 'is required');
  const list = Array.isArray(raw) ? raw : [raw];
  if (op === 'contains' && Array.isArray(raw)) throw badField(`${field}.value`, `'contains' takes one text value, got ${describeValue(raw)}`);
  if (list.length === 0 || list.length > REQUEST_LIMITS.maxFilterValues) {
    throw badField(`${field}.value`, `must list 1 to ${REQUEST_LIMITS.maxFilterValues} values, got ${list.length}`);
  }
  const values = list.map((value: unknown, position) => readValue(dimension, value, Array.isArray(raw) ? `${field}.value[${position}]` : `${field}.value`));
  return { dimension, op: op as FilterOp, values: [...new Set(values)] };
}

/** Checks the `filters` field. */
export function readFilters(value: unknown): StatsFilter[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badField('filters', `must be a list of {"dimension","op","value"}, got ${describeValue(value)}`);
  if (value.length > REQUEST_LIMITS.maxFilters) throw badField('filters', `lists ${value.length} filters; at most ${REQUEST_LIMITS.maxFilters} are allowed`);
  return value.map(readFilter);
}
