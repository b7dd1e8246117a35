/**
 * The GET form of the stats API: its query string turned into the same object a POST body
 * carries, which statsRequest.ts then checks. Lists are comma-separated
 * (`metrics=visitors,pageviews`), the order is `by[:direction]` pairs (`order=visitors:desc`),
 * a custom range is `from` and `to`, and filters are the POST form's JSON list.
 */
import { badField, describeValue } from './fieldErrors.js';

const PARAMETERS = ['site', 'range', 'from', 'to', 'timezone', 'metrics', 'dimensions', 'filters', 'bots', 'order', 'limit', 'offset', 'totals'] as const;

function list(text: string): string[] {
  return text === '' ? [] : text.split(',').map((part) => part.trim());
}

function count(text: string, field: string): number {
  if (!/^\d{1,9}$/.test(text)) throw badField(field, `must be a whole number, got ${describeValue(text)}`);
  return Number(text);
}

/** Turns a parsed query string (fastify's, values may repeat) into a stats request body. */
export function statsBodyFromQuery(query: unknown): Record<string, unknown> {
  const input = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(PARAMETERS as readonly string[]).includes(key)) throw badField(key, `is not a parameter of the stats API; parameters: ${PARAMETERS.join(', ')}`);
    if (typeof value !== 'string') throw badField(key, 'is given more than once');
    text[key] = value;
  }
  const body: Record<string, unknown> = {};
  if (text.site !== undefined) body.site = text.site;
  if (text.from !== undefined || text.to !== undefined) {
    if (text.range !== undefined && text.range !== 'custom') throw badField('range', `give either a preset or 'from' and 'to', not both`);
    body.range = { from: text.from, to: text.to };
  } else if (text.range !== undefined) {
    body.range = text.range;
  }
  if (text.timezone !== undefined) body.timezone = text.timezone;
  if (text.metrics !== undefined) body.metrics = list(text.metrics);
  if (text.dimensions !== undefined) body.dimensions = list(text.dimensions);
  if (text.bots !== undefined) body.bots = text.bots;
  if (text.limit !== undefined) body.limit = count(text.limit, 'limit');
  if (text.offset !== undefined) body.offset = count(text.offset, 'offset');
  if (text.totals !== undefined) {
    if (text.totals !== 'true' && text.totals !== 'false') throw badField('totals', `must be true or false, got ${describeValue(text.totals)}`);
    body.totals = text.totals === 'true';
  }
  if (text.order !== undefined) {
    body.order = list(text.order).map((key) => {
      const colon = key.lastIndexOf(':');
      const direction = colon > 0 ? key.slice(colon + 1) : '';
      // `time:day` is a dimension name, not a key with a direction.
      return direction === 'asc' || direction === 'desc' ? { by: key.slice(0, colon), direction } : { by: key };
    });
  }
  if (text.filters !== undefined) {
    try {
      body.filters = JSON.parse(text.filters) as unknown;
    } catch {
      throw badField('filters', `must be a JSON list like [{"dimension":"country","op":"is","value":"DE"}], got ${describeValue(text.filters)}`);
    }
  }
  return body;
}
