/**
 * A self-hoster moving from the embedded DuckDB file to ClickHouse sees the same numbers: one
 * fixture is loaded into a host of each engine, and every question the API can be asked — time
 * series in several zones, breakdowns, filters, bots, orders, pages — is answered identically,
 * and matches a plain JavaScript count of the fixture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRecord } from '../../core/services/analytics/accessRecord.js';
import { FIXTURE_NOW, HOSTILE_PATHS, fixtureRecords } from './queryFixture.js';
import { comparable, startQueryHosts, type QueryHosts } from './queryHosts.js';
import { groupTotals, select, totalsOf } from './referenceStats.js';

let records: AccessRecord[];
let api: QueryHosts;

beforeAll(async () => {
  records = fixtureRecords();
  api = await startQueryHosts(records);
});
afterAll(async () => {
  await api?.stop();
});

const ALL_METRICS = ['visitors', 'pageviews', 'requests', 'bytes', 'errors', 'error_rate'];

/** Questions a dashboard or a script asks; each must get the same answer from both engines. */
const QUESTIONS: Record<string, Record<string, unknown>> = {
  'the default: visitors and pageviews of the last 30 days': { site: 'example.com' },
  'every metric over 7 days': { site: 'example.com', range: '7d', metrics: ALL_METRICS },
  'a daily series in UTC': { site: 'example.com', range: '30d', metrics: ALL_METRICS, dimensions: ['time:day'] },
  'a daily series in Berlin (buckets cut at local midnight)': { site: 'example.com', range: '30d', timezone: 'Europe/Berlin', metrics: ['visitors', 'pageviews'], dimensions: ['time:day'] },
  'hours of today in UTC': { site: 'example.com', range: 'today', metrics: ['visitors', 'requests'], dimensions: ['time:hour'] },
  'hours of today in Kolkata (half-hour offset)': { site: 'example.com', range: 'today', timezone: 'Asia/Kolkata', metrics: ['visitors', 'requests'], dimensions: ['time:hour'] },
  'hours of a week in Tokyo (whole-hour offset)': { site: 'example.com', range: '7d', timezone: 'Asia/Tokyo', metrics: ['requests', 'bytes'], dimensions: ['time:hour'] },
  'weeks of 12 months in New York': { site: 'example.com', range: '12mo', timezone: 'America/New_York', metrics: ['visitors', 'pageviews'], dimensions: ['time:week'] },
  'months of 12 months in UTC': { site: 'example.com', range: '12mo', metrics: ALL_METRICS, dimensions: ['time:month'] },
  'this month by day in Los Angeles': { site: 'blog.example.org', range: 'month', timezone: 'America/Los_Angeles', metrics: ['visitors'], dimensions: ['time:day'] },
  'hours across the spring DST change in Berlin': {
    site: 'example.com',
    range: { from: '2024-03-30', to: '2024-04-01' },
    timezone: 'Europe/Berlin',
    metrics: ['requests', 'visitors'],
    dimensions: ['time:hour'],
  },
  'top pages': { site: 'example.com', metrics: ['visitors', 'pageviews'], dimensions: ['path'], order: [{ by: 'pageviews', direction: 'desc' }], limit: 10 },
  'referrers without direct traffic': { site: 'example.com', dimensions: ['referrer'], filters: [{ dimension: 'referrer', op: 'is_not', value: '' }] },
  'countries': { site: 'example.com', range: '12mo', metrics: ['visitors'], dimensions: ['country'] },
  'devices, browsers and systems': { site: 'example.com', metrics: ['visitors', 'requests'], dimensions: ['device', 'browser', 'os'] },
  'status codes with bots': { site: 'example.com', metrics: ['requests'], dimensions: ['status'], bots: 'include' },
  'status classes': { site: 'example.com', metrics: ['requests', 'bytes'], dimensions: ['status_class'], bots: 'include' },
  'bandwidth by file type': { site: 'example.com', metrics: ['bytes', 'requests'], dimensions: ['file_type'], order: [{ by: 'bytes', direction: 'desc' }] },
  'cache status': { site: 'shop.example.net', metrics: ['requests'], dimensions: ['cache_status'], bots: 'include' },
  'bots only': { site: 'example.com', range: '12mo', metrics: ['requests', 'visitors'], dimensions: ['path'], bots: 'only' },
  'days by country, paged': { site: 'example.com', metrics: ['visitors'], dimensions: ['time:day', 'country'], limit: 20, offset: 5 },
  'days by device in Berlin, busiest first': {
    site: 'example.com',
    timezone: 'Europe/Berlin',
    metrics: ['visitors', 'pageviews'],
    dimensions: ['time:day', 'device'],
    order: [{ by: 'visitors', direction: 'desc' }],
    limit: 25,
  },
  'pages by error rate': { site: 'example.com', range: '12mo', metrics: ['error_rate', 'requests'], dimensions: ['path'], bots: 'include', order: [{ by: 'error_rate', direction: 'desc' }] },
  'Berlin days by page, worst error rate first': {
    site: 'example.com',
    timezone: 'Europe/Berlin',
    metrics: ['error_rate', 'requests'],
    dimensions: ['time:day', 'path'],
    bots: 'include',
    order: [{ by: 'error_rate', direction: 'desc' }],
    limit: 30,
  },
  'paths in code-point order': { site: 'example.com', range: '12mo', metrics: ['requests'], dimensions: ['path'], order: [{ by: 'path', direction: 'asc' }], limit: 50 },
  'a page with a quote in its path': { site: 'example.com', range: '12mo', metrics: ALL_METRICS, filters: [{ dimension: 'path', op: 'is', value: "/it's-quoted" }] },
  'paths containing a backslash': { site: 'example.com', range: '12mo', dimensions: ['path'], filters: [{ dimension: 'path', op: 'contains', value: '\\' }] },
  'paths containing an SQL comment': { site: 'example.com', range: '12mo', dimensions: ['path'], filters: [{ dimension: 'path', op: 'contains', value: '--' }] },
  'non-ASCII paths': { site: 'example.com', range: '12mo', dimensions: ['path'], filters: [{ dimension: 'path', op: 'is', value: ['/café/menü', '/emoji-🎉'] }] },
  'two countries, no errors': {
    site: 'example.com',
    range: '12mo',
    metrics: ['visitors', 'requests'],
    dimensions: ['country', 'status'],
    filters: [
      { dimension: 'country', op: 'is', value: ['DE', 'FR'] },
      { dimension: 'status_class', op: 'is_not', value: ['5xx', '4xx'] },
    ],
    bots: 'include',
  },
  'a quiet year: zeros in every month': { site: 'example.com', range: { from: '2023-01-01', to: '2023-12-31' }, metrics: ['visitors', 'bytes'], dimensions: ['time:month'] },
  'a table without totals': { site: 'example.com', metrics: ['visitors'], dimensions: ['country'], limit: 5, totals: false },
  'the blog': { site: 'blog.example.org', range: '12mo', metrics: ALL_METRICS, dimensions: ['referrer'] },
};

/** Store queries the DuckDB host's API has run, read from its /metrics. */
async function storeQueries(): Promise<number> {
  const exposition = await (await fetch(`${api.hosts.duckdb.url}/metrics`)).text();
  return Number(/^hearth_query_store_queries_total\{engine="duckdb"\} (\d+)$/m.exec(exposition)?.[1]);
}

describe('the analytics API on DuckDB and on ClickHouse', () => {
  it.each(Object.entries(QUESTIONS))('answers %s identically', async (_name, question) => {
    const [duckdb, clickhouse] = await Promise.all([api.stats('duckdb', question), api.stats('clickhouse', question)]);
    expect(duckdb.status, JSON.stringify(duckdb.body)).toBe(200);
    expect(clickhouse.status, JSON.stringify(clickhouse.body)).toBe(200);
    expect(duckdb.body.meta.engine).toBe('duckdb');
    expect(clickhouse.body.meta.engine).toBe('clickhouse');
    expect(comparable(clickhouse.body)).toEqual(comparable(duckdb.body));
  });

  it('counts the last 30 days as a plain count of the fixture does', async () => {
    const start = Date.UTC(2024, 5, 1);
    const expected = totalsOf(select(records, { site: 'example.com', start, end: Date.UTC(2024, 6, 1) }));
    const answer = await api.stats('clickhouse', { site: 'example.com', metrics: ['visitors', 'pageviews', 'requests', 'bytes', 'errors'] });
    expect(answer.body.data).toEqual([expected]);
    expect(answer.body.meta.range).toMatchObject({ preset: '30d', from: '2024-06-01', to: '2024-06-30', start: '2024-06-01T00:00:00Z', days: 30 });
  });

  it("cuts Berlin's days at Berlin's midnight, fills quiet days with zeros, and counts visitors per local day", async () => {
    const body = { site: 'example.com', range: { from: '2024-03-25', to: '2024-04-03' }, timezone: 'Europe/Berlin', metrics: ['visitors', 'requests'], dimensions: ['time:day'] };
    const answer = await api.stats('duckdb', body);
    expect(answer.body.data).toHaveLength(10);
    // 31 March has 23 hours in Berlin: the offset changes from +01:00 to +02:00.
    expect(answer.body.data[6].time).toBe('2024-03-31T00:00:00+01:00');
    expect(answer.body.data[7].time).toBe('2024-04-01T00:00:00+02:00');
    for (const row of answer.body.data as { time: string; visitors: number; requests: number }[]) {
      const start = Date.parse(row.time);
      const next = new Date(start + 26 * 3_600_000).toISOString().slice(0, 10);
      const end = Date.parse(`${next}T00:00:00${row.time.slice(-6)}`) - (row.time === '2024-03-31T00:00:00+01:00' ? 3_600_000 : 0);
      expect(row).toMatchObject({ visitors: totalsOf(select(records, { site: 'example.com', start, end })).visitors });
    }
    expect(answer.body.meta.totals.requests).toBe(answer.body.data.reduce((sum: number, row: { requests: number }) => sum + row.requests, 0));
  });

  it('ranks top pages by pageviews as the fixture does, ties broken by path', async () => {
    const start = Date.UTC(2024, 5, 1);
    const groups = groupTotals(select(records, { site: 'example.com', start, end: Date.UTC(2024, 6, 1) }), (record) => record.path);
    const expected = [...groups]
      .map(([path, totals]) => ({ path, visitors: totals.visitors, pageviews: totals.pageviews }))
      .sort((a, b) => b.pageviews - a.pageviews || (a.path < b.path ? -1 : 1))
      .slice(0, 10);
    const answer = await api.stats('duckdb', QUESTIONS['top pages']);
    expect(answer.body.data).toEqual(expected);
  });

  it('finds each hostile path by equality, on both engines', async () => {
    for (const path of HOSTILE_PATHS) {
      const expected = select(records, { site: 'example.com', start: 0, end: FIXTURE_NOW, bots: 'include', where: (record) => record.path === path }).length;
      expect(expected, path).toBeGreaterThan(0);
      for (const engine of ['duckdb', 'clickhouse'] as const) {
        const answer = await api.stats(engine, { site: 'example.com', range: '12mo', metrics: ['requests'], bots: 'include', filters: [{ dimension: 'path', op: 'is', value: path }] });
        expect(answer.body.data, `${engine} ${path}`).toEqual([{ requests: expected }]);
      }
    }
  });

  it('pages through a breakdown without gaps or repeats', async () => {
    const base = { site: 'example.com', range: '12mo', metrics: ['requests'], dimensions: ['path'], bots: 'include', limit: 4 };
    const seen: string[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const answer = await api.stats('clickhouse', { ...base, offset });
      seen.push(...answer.body.data.map((row: { path: string }) => row.path));
      offset = answer.body.meta.next_offset;
    }
    const all = await api.stats('clickhouse', { ...base, limit: 1000 });
    expect(seen).toEqual(all.body.data.map((row: { path: string }) => row.path));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('leaves totals out when asked to, and runs one store query fewer', async () => {
    const body = { site: 'example.com', metrics: ['visitors'], dimensions: ['country'] };
    const queries = async (request: Record<string, unknown>): Promise<number> => {
      const before = await storeQueries();
      const answer = await api.stats('duckdb', request);
      expect(answer.status).toBe(200);
      return (await storeQueries()) - before;
    };
    expect(await queries(body)).toBe(2);
    expect(await queries({ ...body, totals: false })).toBe(1);
    expect((await api.stats('duckdb', { ...body, totals: false })).body.meta).not.toHaveProperty('totals');
  });

  it('answers the GET form as the POST form', async () => {
    const query = 'site=example.com&range=7d&timezone=Europe/Berlin&metrics=visitors,pageviews&dimensions=time:day,country&order=visitors:desc,time:day&limit=15';
    const post = await api.stats('duckdb', {
      site: 'example.com',
      range: '7d',
      timezone: 'Europe/Berlin',
      metrics: ['visitors', 'pageviews'],
      dimensions: ['time:day', 'country'],
      order: [{ by: 'visitors', direction: 'desc' }, { by: 'time' }],
      limit: 15,
    });
    for (const engine of ['duckdb', 'clickhouse'] as const) {
      const get = await api.call(engine, `/query/v1/stats?${query}`);
      expect(get.status).toBe(200);
      expect(comparable(get.body)).toEqual(comparable(post.body));
    }
  });
});
