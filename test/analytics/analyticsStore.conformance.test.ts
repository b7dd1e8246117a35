/**
 * One suite, both engines: whatever a user stores and asks must come out the same on the embedded
 * DuckDB file and on a real ClickHouse server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsConfig } from '../../core/config/types.js';
import { encodeAccessRow, newBatchId } from '../../core/services/analytics/accessBatch.js';
import { createAnalyticsStore, type AnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import { isHearthError } from '../../core/errors/HearthError.js';
import { accessRecord, APRIL, ELSEWHERE, MARCH, MARCH_RANGE, utc } from './accessRecords.js';
import { clickhouseForSuite, uniqueDatabase, type SuiteClickHouse } from './clickhouseForSuite.js';

let dir: string;
let clickhouse: SuiteClickHouse;
const logLines: string[] = [];
const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-store-'));
  clickhouse = await clickhouseForSuite();
});
afterAll(async () => {
  await clickhouse?.release();
  await rm(dir, { recursive: true, force: true });
});

/** How each engine is configured, and broken, for the suite. */
const engines = {
  duckdb: {
    config: (name: string): AnalyticsConfig => ({ engine: 'duckdb', duckdbFile: join(dir, `${name}.duckdb`), retentionMonths: 3 }),
    unreachable: async (): Promise<AnalyticsConfig> => {
      // A database "directory" that is really a file: the engine cannot create its database there.
      await writeFile(join(dir, 'not-a-dir'), 'x');
      return { engine: 'duckdb', duckdbFile: join(dir, 'not-a-dir', 'a.duckdb'), retentionMonths: 3 };
    },
  },
  clickhouse: {
    config: (name: string): AnalyticsConfig => ({
      engine: 'clickhouse',
      duckdbFile: '',
      clickhouse: { url: clickhouse.url, database: name, user: clickhouse.user },
      retentionMonths: 3,
    }),
    unreachable: async (): Promise<AnalyticsConfig> => ({
      engine: 'clickhouse',
      duckdbFile: '',
      // Port 9 (discard) is closed on loopback: the connection is refused at once.
      clickhouse: { url: 'http://127.0.0.1:9', database: 'nowhere', user: 'default' },
      retentionMonths: 3,
    }),
  },
} as const;

describe.each(['duckdb', 'clickhouse'] as const)('the analytics store on %s', (engineName) => {
  const engine = engines[engineName];
  let store: AnalyticsStore;

  beforeAll(async () => {
    store = createAnalyticsStore(engine.config(uniqueDatabase('conformance')), { logger });
    await store.insert([...MARCH, ...APRIL, ...ELSEWHERE]);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('creates its schema on first use, and a second open of the same database migrates nothing', async () => {
    const name = uniqueDatabase('schema');
    const first = createAnalyticsStore(engine.config(name), { logger });
    logLines.length = 0;
    await first.open();
    await first.open();
    await first.close();
    expect(logLines.filter((line) => line.includes('analytics schema migrated'))).toHaveLength(1);
    const second = createAnalyticsStore(engine.config(name), { logger });
    logLines.length = 0;
    expect(await second.count()).toBe(0);
    expect(logLines.filter((line) => line.includes('analytics schema migrated'))).toHaveLength(0);
    await second.close();
    expect(second.engine).toBe(engineName);
  });

  it('counts records per site and in all', async () => {
    expect(await store.count('example.com')).toBe(8);
    expect(await store.count('other.org')).toBe(1);
    expect(await store.count('nobody.net')).toBe(0);
    expect(await store.count()).toBe(9);
  });

  it('sums a month of one site: requests, pageviews, visitors, bytes, errors, bots and mean duration', async () => {
    const [totals] = await store.aggregate({
      site: 'example.com',
      ...MARCH_RANGE,
      metrics: ['requests', 'pageviews', 'visitors', 'bytes', 'errors', 'bot_requests', 'avg_duration_ms'],
    });
    expect(totals).toEqual({ requests: 7, pageviews: 4, visitors: 4, bytes: 4700, errors: 1, bot_requests: 1, avg_duration_ms: 20 });
  });

  it('answers an empty range with zeros and no mean', async () => {
    const rows = await store.aggregate({ site: 'example.com', from: new Date(utc(2023, 1, 1)), to: new Date(utc(2023, 2, 1)), metrics: ['requests', 'bytes', 'avg_duration_ms'] });
    expect(rows).toEqual([{ requests: 0, bytes: 0, avg_duration_ms: null }]);
  });

  it('ranks top pages by pageviews, breaking ties by path, within the limit', async () => {
    const rows = await store.aggregate({ site: 'example.com', ...MARCH_RANGE, metrics: ['pageviews', 'requests'], groupBy: ['path'], limit: 2 });
    expect(rows).toEqual([
      { path: '/', pageviews: 3, requests: 4 },
      { path: '/about', pageviews: 1, requests: 2 },
    ]);
  });

  it('buckets by hour, day, Monday-started week and month, in UTC', async () => {
    const hours = await store.aggregate({ site: 'example.com', from: new Date(utc(2024, 3, 4)), to: new Date(utc(2024, 3, 5)), metrics: ['requests'], bucket: 'hour' });
    expect(hours).toEqual([
      { bucket: '2024-03-04T09:00:00.000Z', requests: 2 },
      { bucket: '2024-03-04T10:00:00.000Z', requests: 1 },
    ]);
    const days = await store.aggregate({ site: 'example.com', ...MARCH_RANGE, metrics: ['visitors'], bucket: 'day' });
    expect(days.map((row) => [row.bucket, row.visitors])).toEqual([
      ['2024-03-04T00:00:00.000Z', 2],
      ['2024-03-05T00:00:00.000Z', 1],
      ['2024-03-06T00:00:00.000Z', 1],
      ['2024-03-10T00:00:00.000Z', 1],
      ['2024-03-11T00:00:00.000Z', 1],
    ]);
    const weeks = await store.aggregate({ site: 'example.com', ...MARCH_RANGE, metrics: ['requests'], bucket: 'week' });
    expect(weeks).toEqual([
      { bucket: '2024-03-04T00:00:00.000Z', requests: 6 },
      { bucket: '2024-03-11T00:00:00.000Z', requests: 1 },
    ]);
    const months = await store.aggregate({ site: 'example.com', from: new Date(utc(2024, 1, 1)), to: new Date(utc(2025, 1, 1)), metrics: ['requests'], bucket: 'month' });
    expect(months).toEqual([
      { bucket: '2024-03-01T00:00:00.000Z', requests: 7 },
      { bucket: '2024-04-01T00:00:00.000Z', requests: 1 },
    ]);
  });

  it('groups by two dimensions and leaves bots out when asked', async () => {
    const rows = await store.aggregate({ site: 'example.com', ...MARCH_RANGE, metrics: ['requests'], groupBy: ['country', 'status_class'], humansOnly: true, orderBy: [{ by: 'country', direction: 'asc' }] });
    expect(rows).toEqual([
      { country: 'DE', status_class: 2, requests: 3 },
      { country: 'FR', status_class: 2, requests: 2 },
      { country: 'FR', status_class: 5, requests: 1 },
    ]);
  });

  it('filters with eq, neq, in, prefix and contains', async () => {
    const requests = async (filters: Parameters<AnalyticsStore['aggregate']>[0]['filters']): Promise<unknown> =>
      (await store.aggregate({ site: 'example.com', ...MARCH_RANGE, metrics: ['requests'], filters }))[0]?.requests;
    expect(await requests([{ dimension: 'country', op: 'eq', value: 'FR' }])).toBe(3);
    expect(await requests([{ dimension: 'country', op: 'neq', value: 'FR' }])).toBe(4);
    expect(await requests([{ dimension: 'status', op: 'in', value: [503, 404] }])).toBe(1);
    expect(await requests([{ dimension: 'url', op: 'prefix', value: '/about?' }])).toBe(1);
    expect(await requests([{ dimension: 'referrer_host', op: 'contains', value: 'ycombinator' }])).toBe(1);
    expect(await requests([{ dimension: 'device', op: 'eq', value: 'mobile' }, { dimension: 'bot', op: 'eq', value: 0 }])).toBe(1);
  });

  it('keeps quotes, backslashes and unicode as written, and a value that looks like SQL is only a value', async () => {
    const nasty = ["/it's", '/back\\slash\\', '/quote"d', "/x' OR '1'='1", '/ünïcødé/日本語/🚀', "/\\'; DROP TABLE access; --"];
    await store.insert(nasty.map((path, index) => accessRecord({ site: "q'uote.site", path, url: path, visitorId: index })));
    for (const path of nasty) {
      const rows = await store.aggregate({ site: "q'uote.site", ...MARCH_RANGE, metrics: ['requests'], groupBy: ['path'], filters: [{ dimension: 'path', op: 'eq', value: path }] });
      expect(rows).toEqual([{ path, requests: 1 }]);
    }
    expect(await store.count("q'uote.site")).toBe(nasty.length);
    expect(await store.count("x' OR '1'='1")).toBe(0);
  });

  it('turns control characters inside a value into spaces, so a record stays one row', async () => {
    await store.insert([accessRecord({ site: 'ctl.site', path: '/a\nb\tc\r\u0000d' })]);
    const rows = await store.aggregate({ site: 'ctl.site', ...MARCH_RANGE, metrics: ['requests'], groupBy: ['path'] });
    expect(rows).toEqual([{ path: '/a b c  d', requests: 1 }]);
  });

  it('stores a replayed batch once, however often it is replayed', async () => {
    const site = `replay-${engineName}.site`;
    const id = newBatchId();
    const file = join(dir, `replay-${engineName}.csv`);
    const rows = Array.from({ length: 10 }, (_, row) => accessRecord({ site, path: `/p${row}` }));
    await writeFile(file, rows.map((record, row) => encodeAccessRow(record, id, row)).join(''));
    expect(await store.insertBatch({ id, file, rowCount: 10, mayBePartlyStored: true })).toEqual({ inserted: 10, skipped: 0 });
    expect(await store.insertBatch({ id, file, rowCount: 10, mayBePartlyStored: true })).toEqual({ inserted: 0, skipped: 10 });
    expect(await store.count(site)).toBe(10);
  });

  it('completes a batch that a crash left half stored, without storing any row twice', async () => {
    const site = `half-${engineName}.site`;
    const id = newBatchId();
    const records = Array.from({ length: 10 }, (_, row) => accessRecord({ site, path: `/p${row}` }));
    const lines = records.map((record, row) => encodeAccessRow(record, id, row));
    const firstHalf = join(dir, `half-a-${engineName}.csv`);
    const whole = join(dir, `half-b-${engineName}.csv`);
    await writeFile(firstHalf, lines.slice(0, 4).join(''));
    await writeFile(whole, lines.join(''));
    await store.insertBatch({ id, file: firstHalf, rowCount: 4, mayBePartlyStored: false });
    expect(await store.insertBatch({ id, file: whole, rowCount: 10, mayBePartlyStored: true })).toEqual({ inserted: 6, skipped: 4 });
    const paths = await store.aggregate({ site, ...MARCH_RANGE, metrics: ['requests'], groupBy: ['path'], orderBy: [{ by: 'path', direction: 'asc' }] });
    expect(paths.map((row) => [row.path, row.requests])).toEqual(records.map((record) => [record.path, 1]).sort());
  });

  it('drops whole months older than the retention and keeps the rest', async () => {
    const retained = createAnalyticsStore(engine.config(uniqueDatabase('retention')), { logger });
    await retained.insert([
      accessRecord({ ts: utc(2023, 12, 31, 23, 59, 59) }),
      accessRecord({ ts: utc(2024, 1, 1) }),
      accessRecord({ ts: utc(2024, 2, 15) }),
      accessRecord({ ts: utc(2024, 4, 10) }),
    ]);
    // Three months kept in April 2024: January, February and March stay, with April itself.
    expect(await retained.applyRetention(new Date(utc(2024, 4, 20)))).toEqual(['202312']);
    expect(await retained.count()).toBe(3);
    expect(await retained.dropPartitionsBefore(new Date(utc(2024, 3, 1)))).toEqual(['202401', '202402']);
    expect(await retained.count()).toBe(1);
    await retained.close();
  });

  it('refuses a query that names anything outside the allow-lists', async () => {
    const bad = [
      { metrics: ['sum(bytes)'] },
      { metrics: ['requests'], groupBy: ['visitor_id'] },
      { metrics: ['requests'], filters: [{ dimension: 'status', op: 'eq', value: "1; DROP TABLE access" }] },
      { metrics: ['requests'], filters: [{ dimension: 'status', op: 'prefix', value: 2 }] },
      { metrics: ['requests'], orderBy: [{ by: 'path', direction: 'asc' }] },
      { metrics: ['requests'], limit: 1_000_000 },
      { metrics: ['requests'], from: MARCH_RANGE.to, to: MARCH_RANGE.from },
    ];
    for (const query of bad) {
      const error = await store.aggregate({ site: 'example.com', ...MARCH_RANGE, ...query } as never).catch((caught: unknown) => caught);
      expect(isHearthError(error, 'HEARTH_ERR_ANALYTICS_QUERY_INVALID'), JSON.stringify(query)).toBe(true);
    }
  });

  it('reports an unreachable store as unavailable, on every call, without caching the failure', async () => {
    const broken = createAnalyticsStore(await engine.unreachable(), { logger });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await broken.count().catch((caught: unknown) => caught);
      expect(isHearthError(error, 'HEARTH_ERR_ANALYTICS_UNAVAILABLE')).toBe(true);
    }
    await broken.close();
    await broken.close();
  });
});
