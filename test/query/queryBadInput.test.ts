/**
 * A script author who gets a request wrong is told which field is wrong, with a 400 — never a
 * 500, whatever the engine. Each case names the field its message must start with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRecords } from './queryFixture.js';
import { ENGINES, startQueryHosts, type QueryHosts } from './queryHosts.js';

let api: QueryHosts;

beforeAll(async () => {
  api = await startQueryHosts(fixtureRecords(400));
});
afterAll(async () => {
  await api?.stop();
});

const site = 'example.com';
const filter = (value: unknown, extra: Record<string, unknown> = {}) => ({ site, filters: [{ dimension: 'path', op: 'is', value, ...extra }] });

/** [what is wrong, request body, the field the message names, the code]. */
const BAD_BODIES: [string, unknown, string, string][] = [
  ['an unknown metric', { site, metrics: ['visits'] }, 'metrics[0]', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['metrics that are not a list', { site, metrics: 'visitors' }, 'metrics', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['no metrics at all', { site, metrics: [] }, 'metrics', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a metric twice', { site, metrics: ['visitors', 'visitors'] }, 'metrics[1]', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an SQL expression as a metric', { site, metrics: ['count(*)'] }, 'metrics[0]', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an unknown dimension', { site, dimensions: ['town'] }, 'dimensions[0]', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['two time dimensions', { site, dimensions: ['time:day', 'time:hour'] }, 'dimensions[1]', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['too many dimensions', { site, dimensions: ['path', 'country', 'device', 'os'] }, 'dimensions', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an unknown range preset', { site, range: 'yesterday' }, 'range', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a date that is not on the calendar', { site, range: { from: '2024-02-30', to: '2024-03-01' } }, 'range.from', 'HEARTH_ERR_QUERY_RANGE'],
  ['a date in another format', { site, range: { from: '2024/01/01', to: '2024-01-02' } }, 'range.from', 'HEARTH_ERR_QUERY_RANGE'],
  ['a range without its end', { site, range: { from: '2024-01-01' } }, 'range.to', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a reversed range', { site, range: { from: '2024-05-02', to: '2024-05-01' } }, 'range', 'HEARTH_ERR_QUERY_RANGE'],
  ['a range over the limit', { site, range: { from: '2020-01-01', to: '2024-01-01' } }, 'range', 'HEARTH_ERR_QUERY_RANGE'],
  ['a date before the store can hold', { site, range: { from: '1900-01-01', to: '1900-01-02' } }, 'range.from', 'HEARTH_ERR_QUERY_RANGE'],
  ['hours over twelve months', { site, range: '12mo', dimensions: ['time:hour'] }, 'dimensions', 'HEARTH_ERR_QUERY_RANGE'],
  ['hours of 30 days in a half-hour zone (one store query each)', { site, timezone: 'Asia/Kolkata', dimensions: ['time:hour'] }, 'dimensions', 'HEARTH_ERR_QUERY_RANGE'],
  ['a page of 1000 rows for each of 30 Berlin days', { site, timezone: 'Europe/Berlin', dimensions: ['time:day', 'path'], limit: 1000, offset: 8000 }, 'dimensions', 'HEARTH_ERR_QUERY_RANGE'],
  ['a zone that does not exist', { site, timezone: 'Mars/Olympus_Mons' }, 'timezone', 'HEARTH_ERR_QUERY_TIMEZONE'],
  ['an offset instead of a zone', { site, timezone: '+02:00' }, 'timezone', 'HEARTH_ERR_QUERY_TIMEZONE'],
  ['SQL in the zone', { site, timezone: "Europe/Berlin'); --" }, 'timezone', 'HEARTH_ERR_QUERY_TIMEZONE'],
  ['a number as the zone', { site, timezone: 42 }, 'timezone', 'HEARTH_ERR_QUERY_TIMEZONE'],
  ['filters that are not a list', { site, filters: { path: '/' } }, 'filters', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['too many filters', { site, filters: Array.from({ length: 21 }, () => ({ dimension: 'path', op: 'is', value: '/' })) }, 'filters', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an oversized filter value', filter('x'.repeat(5000)), 'filters[0].value', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['too many filter values', filter(Array.from({ length: 51 }, (_v, i) => `/p${i}`)), 'filters[0].value', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an empty list of values', filter([]), 'filters[0].value', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a filter on time', { site, filters: [{ dimension: 'time:day', op: 'is', value: '2024-06-01' }] }, 'filters[0].dimension', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a filter on an unknown column', { site, filters: [{ dimension: 'ip', op: 'is', value: '1.2.3.4' }] }, 'filters[0].dimension', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an unknown operator', filter('/', { op: 'like' }), 'filters[0].op', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ["'contains' on a status", { site, filters: [{ dimension: 'status', op: 'contains', value: '40' }] }, 'filters[0].op', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a status that is not a number', { site, filters: [{ dimension: 'status', op: 'is', value: "200' OR 1=1" }] }, 'filters[0].value', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a status class that does not exist', { site, filters: [{ dimension: 'status_class', op: 'is', value: '6xx' }] }, 'filters[0].value', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a number where text belongs', filter(42), 'filters[0].value', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ["'contains' with a list", filter(['a', 'b'], { op: 'contains' }), 'filters[0].value', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a lone surrogate', filter('/\ud800'), 'filters[0].value', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a NUL character', filter('/a\u0000b'), 'filters[0].value', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an extra key in a filter', filter('/', { column: 'path' }), 'filters[0].column', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an order key not in the request', { site, order: [{ by: 'bytes', direction: 'desc' }] }, 'order[0].by', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['SQL as an order key', { site, order: [{ by: 'visitors DESC; --' }] }, 'order[0].by', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an unknown direction', { site, order: [{ by: 'visitors', direction: 'up' }] }, 'order[0].direction', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a limit of zero', { site, limit: 0 }, 'limit', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a limit over 1000', { site, limit: 1001 }, 'limit', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a fractional limit', { site, limit: 1.5 }, 'limit', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a limit as text', { site, limit: '10' }, 'limit', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a negative offset', { site, offset: -1 }, 'offset', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an offset past the last page', { site, offset: 9950 }, 'offset', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['totals as text', { site, totals: 'yes' }, 'totals', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['an unknown bot mode', { site, bots: 'maybe' }, 'bots', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a misspelt field', { site, metric: ['visitors'] }, 'metric', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['no site', { metrics: ['visitors'] }, 'site', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['SQL in the site name', { site: "example.com' OR '1'='1" }, 'site', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
  ['a list instead of an object', [{ site }], 'body', 'HEARTH_ERR_QUERY_BAD_REQUEST'],
];

/** GET forms that are wrong: [what, query string, field]. */
const BAD_QUERIES: [string, string, string][] = [
  ['a site given twice', 'site=example.com&site=blog.example.org', 'site'],
  ['filters that are not JSON', 'site=example.com&filters=path==/', 'filters'],
  ['a limit that is not a number', 'site=example.com&limit=ten', 'limit'],
  ['an unknown parameter', 'site=example.com&format=csv', 'format'],
  ['a preset and dates together', 'site=example.com&range=7d&from=2024-01-01&to=2024-01-02', 'range'],
];

describe.each(ENGINES)('bad requests on %s', (engine) => {
  it.each(BAD_BODIES)('%s is a 400 naming the field', async (_what, body, field, code) => {
    const answer = await api.stats(engine, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message.startsWith(`${field}: `), answer.body.error.message).toBe(true);
  });

  it.each(BAD_QUERIES)('GET with %s is a 400 naming the field', async (_what, query, field) => {
    const answer = await api.call(engine, `/query/v1/stats?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.message.startsWith(`${field}: `), answer.body.error.message).toBe(true);
  });

  it('refuses a body that is not a JSON object, or too large, without a 500', async () => {
    const broken = await api.call(engine, '/query/v1/stats', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"site": "example.com",' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('HEARTH_ERR_HTTP_BAD_REQUEST');
    const huge = await api.call(engine, '/query/v1/stats', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site, pad: 'x'.repeat(70_000) }) });
    expect(huge.status).toBe(413);
    const text = await api.call(engine, '/query/v1/stats', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'site=example.com' });
    expect(text.status).toBe(400);
    expect(text.body.error.message).toMatch(/^body: must be a JSON object/);
  });
});
