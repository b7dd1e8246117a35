/**
 * The escaper is the only thing between a visitor's URL and the store's SQL: every string must
 * come back from each real engine exactly as it went in.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAccessRow, readBatchLine } from '../../core/services/analytics/accessBatch.js';
import { createClickHouseEngine, lowCardinalityIsExperimental } from '../../core/services/analytics/clickhouseEngine.js';
import { createDuckDBEngine } from '../../core/services/analytics/duckdbEngine.js';
import {
  checkIdentifier,
  clickhouseString,
  duckdbString,
  integerLiteral,
  stringLiteral,
  utcDateTimeText,
} from '../../core/services/analytics/sqlLiteral.js';
import type { StoreEngine } from '../../core/services/analytics/storeEngine.js';
import { isHearthError } from '../../core/errors/HearthError.js';
import { accessRecord } from './accessRecords.js';
import { clickhouseForSuite, uniqueDatabase, type SuiteClickHouse } from './clickhouseForSuite.js';

const HOSTILE = [
  '',
  "it's",
  "''",
  '\\',
  '\\\\',
  "\\'",
  "'\\",
  "x\\' OR 1=1 --",
  "'); DROP TABLE access; --",
  '"double" and `back`',
  'tab\there\nnewline\r\n',
  'percent % and underscore _',
  'ünïcødé 日本語 🚀',
  '\u2028\u2029',
  '$1 ? :name {name:String}',
];

describe('string literals', () => {
  it('escapes backslash and quote with a backslash for ClickHouse', () => {
    expect(clickhouseString("it's")).toBe("'it\\'s'");
    expect(clickhouseString('a\\b')).toBe("'a\\\\b'");
    expect(clickhouseString("\\'")).toBe("'\\\\\\''");
  });

  it('doubles the quote and leaves backslashes alone for DuckDB', () => {
    expect(duckdbString("it's")).toBe("'it''s'");
    expect(duckdbString('a\\b')).toBe("'a\\b'");
  });

  it('drops NUL, which neither engine keeps in a string', () => {
    expect(clickhouseString('a\0b')).toBe("'ab'");
    expect(duckdbString('a\0b')).toBe("'ab'");
  });

  it('allows plain identifiers only', () => {
    expect(checkIdentifier('hearth_production', 'database')).toBe('hearth_production');
    for (const bad of ['', '1abc', 'a-b', 'a.b', 'a b', "a'b", 'a;drop', 'x'.repeat(64), 'ä']) {
      expect(() => checkIdentifier(bad, 'database'), bad).toThrow(/not a plain identifier/);
    }
  });

  it('writes integers only when they are safe integers', () => {
    expect(integerLiteral(42)).toBe('42');
    expect(integerLiteral(2n ** 63n - 1n)).toBe('9223372036854775807');
    for (const bad of [Number.NaN, 1.5, Number.POSITIVE_INFINITY, 2 ** 60]) expect(() => integerLiteral(bad)).toThrow(RangeError);
  });

  it('formats times in UTC and refuses times the engines cannot hold', () => {
    expect(utcDateTimeText(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe('2024-02-29 23:59:59');
    expect(() => utcDateTimeText(-1)).toThrow(RangeError);
    expect(() => utcDateTimeText(Date.UTC(2200, 0, 1))).toThrow(RangeError);
  });
});

describe('ClickHouse versions', () => {
  it('uses LowCardinality only where it is no longer experimental (19.3 on)', () => {
    expect(lowCardinalityIsExperimental('18.16.1')).toBe(true);
    expect(lowCardinalityIsExperimental('19.2.9.4')).toBe(true);
    expect(lowCardinalityIsExperimental('19.3.4')).toBe(false);
    expect(lowCardinalityIsExperimental('24.8.4.13')).toBe(false);
  });
});

describe('the batch file line', () => {
  it('reads back the site, date and row index of any encoded record', () => {
    const line = encodeAccessRow(accessRecord({ site: 'we"ird,site', ts: Date.UTC(2024, 0, 31, 23) }), 77n, 12);
    expect(line.endsWith('\n')).toBe(true);
    expect(readBatchLine(line.slice(0, -1))).toMatchObject({ site: 'we"ird,site', date: '2024-01-31', row: 12 });
    expect(readBatchLine('garbage')).toBeUndefined();
    expect(readBatchLine('"unterminated')).toBeUndefined();
  });
});

describe('every hostile string survives a round trip through the real engines', () => {
  let dir: string;
  let clickhouse: SuiteClickHouse;
  const engines: StoreEngine[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-literal-'));
    clickhouse = await clickhouseForSuite();
    const logger = pino({ level: 'silent' });
    engines.push(createDuckDBEngine({ file: join(dir, 'literal.duckdb'), logger }));
    engines.push(createClickHouseEngine({ url: clickhouse.url, database: uniqueDatabase('literal'), user: clickhouse.user, logger }));
    for (const engine of engines) await engine.connect();
  });
  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await clickhouse?.release();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(HOSTILE.map((value) => [JSON.stringify(value), value]))('%s', async (_name, value) => {
    for (const engine of engines) {
      const literal = stringLiteral(engine.engine)(value);
      const [row] = await engine.rows(`SELECT ${literal} AS v, length(${literal}) AS n`);
      expect(row?.v, engine.engine).toBe(value);
    }
  });

  it('an identifier from configuration that is not plain never reaches the server', () => {
    let caught: unknown;
    try {
      createClickHouseEngine({ url: clickhouse.url, database: 'x; DROP DATABASE default', user: 'default', logger: pino({ level: 'silent' }) });
    } catch (error) {
      caught = error;
    }
    expect(isHearthError(caught, 'HEARTH_ERR_ANALYTICS_CONFIG')).toBe(true);
  });
});
