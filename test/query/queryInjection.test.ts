/**
 * Hostile input never reaches SQL as code: a corpus of quotes, backslashes, comment sequences,
 * ClickHouse and DuckDB parameter syntax, non-ASCII and very long strings is sent as filter
 * values to both engines, and each answer is exactly what a plain count of the fixture gives for
 * that one site — never a database error, never another site's rows. Hostile site names and
 * field names are refused before any query runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRecord } from '../../core/services/analytics/accessRecord.js';
import { FIXTURE_NOW, HOSTILE_PATHS, fixtureRecords } from './queryFixture.js';
import { ENGINES, TOKENS, startQueryHosts, type QueryHosts } from './queryHosts.js';
import { select } from './referenceStats.js';

let records: AccessRecord[];
let api: QueryHosts;

beforeAll(async () => {
  records = fixtureRecords(1500);
  api = await startQueryHosts(records);
});
afterAll(async () => {
  await api?.stop();
});

/** Values that break naive SQL building in either engine's dialect. */
const CORPUS = [
  "'",
  "''",
  '\\',
  "\\'",
  "\\\\'",
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE access; --",
  "example.com' OR site != '",
  "') UNION ALL SELECT * FROM system.tables --",
  '/* comment */',
  '*/',
  '-- ',
  '#',
  '%',
  '_',
  '%_%',
  '"',
  '`',
  ';',
  '?',
  '$1',
  '{site:String}',
  '$$ $$',
  "'||(SELECT 1)||'",
  '\\x27',
  '\\u0027',
  'é',
  'menü',
  '🎉',
  '\u202e',
  'ᄀ',
  ...HOSTILE_PATHS,
  "'".repeat(1024),
  '\\'.repeat(1024),
  '🎉'.repeat(512),
  "evil'ref.example",
  'back\\slash.example',
];

const COLUMNS = { path: (record: AccessRecord) => record.path, referrer: (record: AccessRecord) => record.referrerHost, country: (record: AccessRecord) => record.country } as const;
const OPS = {
  is: (actual: string, value: string) => actual === value,
  is_not: (actual: string, value: string) => actual !== value,
  contains: (actual: string, value: string) => actual.includes(value),
} as const;

interface Case {
  readonly dimension: keyof typeof COLUMNS;
  readonly op: keyof typeof OPS;
  readonly value: string;
}

const CASES: Case[] = CORPUS.flatMap((value) =>
  (Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]).flatMap((dimension) => (Object.keys(OPS) as (keyof typeof OPS)[]).map((op) => ({ dimension, op, value }))),
);

function expectedRequests(site: string, { dimension, op, value }: Case): number {
  const column = COLUMNS[dimension];
  return select(records, { site, start: Date.UTC(2023, 6, 1), end: FIXTURE_NOW + 86_400_000, bots: 'include', where: (record) => OPS[op](column(record), value) }).length;
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let index = 0; index < items.length; index += size) await Promise.all(items.slice(index, index + size).map(work));
}

describe.each(ENGINES)('hostile filter values on %s', (engine) => {
  it(`count exactly the rows of the one site asked about (${CASES.length} filters)`, async () => {
    const failures: string[] = [];
    await inBatches(CASES, 12, async (testCase) => {
      // The other site is asked with the filter that lets most rows through: any leak would show.
      const sites = testCase.op === 'is_not' && testCase.dimension === 'path' ? ['example.com', 'shop.example.net'] : ['example.com'];
      for (const site of sites) {
        const answer = await api.stats(engine, {
          site,
          range: '12mo',
          metrics: ['requests'],
          bots: 'include',
          filters: [{ dimension: testCase.dimension, op: testCase.op, value: testCase.value }],
        });
        const label = `${site} ${testCase.dimension} ${testCase.op} ${JSON.stringify(testCase.value.slice(0, 30))}`;
        if (answer.status !== 200) failures.push(`${label}: ${answer.status} ${JSON.stringify(answer.body)}`);
        else if (answer.body.data[0].requests !== expectedRequests(site, testCase)) failures.push(`${label}: ${answer.body.data[0].requests} != ${expectedRequests(site, testCase)}`);
      }
    });
    expect(failures).toEqual([]);
  });

  it('finds the fixture rows a hostile value names, and only them', async () => {
    const answer = await api.stats(engine, { site: 'example.com', range: '12mo', metrics: ['requests'], dimensions: ['path'], bots: 'include', filters: [{ dimension: 'path', op: 'contains', value: "'" }] });
    expect(answer.body.data.map((row: { path: string }) => row.path).sort()).toEqual(["/a'; DROP TABLE access; --", "/it's-quoted"]);
  });

  it('refuses hostile site names before any query runs', async () => {
    for (const site of ["example.com' OR '1'='1", 'example.com; --', 'EXAMPLE.COM', 'example.com\u0000', '../example.com', 'x'.repeat(300), '*']) {
      const answer = await api.stats(engine, { site, metrics: ['requests'] });
      expect(answer.status, site).toBe(400);
      expect(answer.body.error.message).toMatch(/^site: /);
    }
    const unknown = await api.stats(engine, { site: 'unknown.example', metrics: ['requests'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('HEARTH_ERR_QUERY_SITE_UNKNOWN');
    const blogToken = await api.call(engine, '/query/v1/stats', { method: 'POST', token: TOKENS.blog, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site: 'example.com' }) });
    expect(blogToken.status).toBe(403);
  });
});
