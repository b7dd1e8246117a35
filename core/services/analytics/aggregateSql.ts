/**
 * Compiles an {@link AggregateQuery} to one engine's SQL. Column names come from the allow-lists in
 * aggregateQuery.ts, values from the escapers in sqlLiteral.ts; results come back under `m_`/`d_`
 * aliases (ClickHouse would otherwise read `sum(bytes) AS bytes` as a cycle) and are renamed here.
 */
import {
  DEFAULT_AGGREGATE_LIMIT,
  DIMENSIONS,
  type AggregateFilter,
  type AggregateQuery,
  type AggregateRow,
  type Dimension,
  type Metric,
  type TimeBucket,
} from './aggregateQuery.js';
import { clickhouseString, duckdbString, integerLiteral, utcDateText, type AnalyticsEngine } from './sqlLiteral.js';

/** What differs between the engines' SQL. */
export interface SqlDialect {
  readonly engine: AnalyticsEngine;
  /** The access table, qualified where the engine needs it. */
  readonly table: string;
  string(value: string): string;
  /** A DateTime/TIMESTAMP literal for a unix time in whole seconds. */
  timestamp(seconds: number): string;
  /** A DATE literal for a unix time in milliseconds. */
  date(ms: number): string;
  /** The bucket's start as unix seconds. */
  bucketSeconds(bucket: TimeBucket): string;
  countWhere(condition: string): string;
  distinctCount(column: string): string;
  startsWith(column: string, literal: string): string;
  contains(column: string, literal: string): string;
}

/** ClickHouse's dialect (18.16 and current releases). */
export function clickhouseDialect(table: string): SqlDialect {
  return {
    engine: 'clickhouse',
    table,
    string: clickhouseString,
    timestamp: (seconds) => `toDateTime(${integerLiteral(seconds)}, 'UTC')`,
    date: (ms) => `toDate(${clickhouseString(utcDateText(ms))})`,
    bucketSeconds: (bucket) =>
      ({
        hour: 'toUInt32(toStartOfHour(ts))',
        day: 'toUInt32(toStartOfDay(ts))',
        week: "toUInt32(toDateTime(toMonday(ts), 'UTC'))",
        month: "toUInt32(toDateTime(toStartOfMonth(ts), 'UTC'))",
      })[bucket],
    countWhere: (condition) => `countIf(${condition})`,
    distinctCount: (column) => `uniqExact(${column})`,
    startsWith: (column, literal) => `startsWith(${column}, ${literal})`,
    contains: (column, literal) => `position(${column}, ${literal}) > 0`,
  };
}

/** DuckDB's dialect. */
export function duckdbDialect(table: string): SqlDialect {
  return {
    engine: 'duckdb',
    table,
    string: duckdbString,
    timestamp: (seconds) => `make_timestamp(${integerLiteral(seconds * 1_000_000)})`,
    date: (ms) => `DATE ${duckdbString(utcDateText(ms))}`,
    bucketSeconds: (bucket) => `CAST(epoch(date_trunc('${bucket}', ts)) AS BIGINT)`,
    countWhere: (condition) => `count(*) FILTER (WHERE ${condition})`,
    distinctCount: (column) => `count(DISTINCT ${column})`,
    startsWith: (column, literal) => `starts_with(${column}, ${literal})`,
    contains: (column, literal) => `contains(${column}, ${literal})`,
  };
}

function metricSql(metric: Metric, dialect: SqlDialect): string {
  switch (metric) {
    case 'requests':
      return 'count(*)';
    case 'pageviews':
      return 'sum(is_pageview)';
    case 'visitors':
      return dialect.distinctCount('visitor_id');
    case 'bytes':
      return 'sum(bytes)';
    case 'bot_requests':
      return 'sum(bot)';
    case 'errors':
      return dialect.countWhere('status_class = 5');
    case 'avg_duration_ms':
      return 'avg(duration_ms)';
  }
}

function valueSql(dimension: Dimension, value: string | number, dialect: SqlDialect): string {
  return DIMENSIONS[dimension] === 'number' ? integerLiteral(value as number) : dialect.string(value as string);
}

function filterSql(filter: AggregateFilter, dialect: SqlDialect): string {
  const column = filter.dimension;
  if (filter.op === 'in') {
    const values = (filter.value as readonly (string | number)[]).map((value) => valueSql(column, value, dialect));
    return `${column} IN (${values.join(', ')})`;
  }
  const literal = valueSql(column, filter.value as string | number, dialect);
  if (filter.op === 'prefix') return dialect.startsWith(column, literal);
  if (filter.op === 'contains') return dialect.contains(column, literal);
  return `${column} ${filter.op === 'eq' ? '=' : '!='} ${literal}`;
}

/** A compiled query and how to read its rows back. */
export interface CompiledAggregate {
  readonly sql: string;
  readonly dimensions: readonly Dimension[];
  readonly metrics: readonly Metric[];
  readonly bucketed: boolean;
}

/** Builds the SQL of a checked query (see `checkAggregateQuery`). */
export function compileAggregate(query: AggregateQuery, dialect: SqlDialect): CompiledAggregate {
  const dimensions = [...new Set(query.groupBy ?? [])];
  const metrics = [...new Set(query.metrics)];
  const fromSeconds = Math.floor(query.from.getTime() / 1000);
  const toSeconds = Math.ceil(query.to.getTime() / 1000);
  const select: string[] = [];
  const groupKeys: string[] = [];
  if (query.bucket) {
    select.push(`${dialect.bucketSeconds(query.bucket)} AS k_bucket`);
    groupKeys.push('k_bucket');
  }
  for (const dimension of dimensions) {
    select.push(`${dimension} AS d_${dimension}`);
    groupKeys.push(`d_${dimension}`);
  }
  for (const metric of metrics) select.push(`${metricSql(metric, dialect)} AS m_${metric}`);
  const where = [
    `site = ${dialect.string(query.site)}`,
    `date >= ${dialect.date(fromSeconds * 1000)}`,
    `date <= ${dialect.date(toSeconds * 1000 - 1)}`,
    `ts >= ${dialect.timestamp(fromSeconds)}`,
    `ts < ${dialect.timestamp(toSeconds)}`,
    ...(query.humansOnly ? ['bot = 0'] : []),
    ...(query.filters ?? []).map((filter) => filterSql(filter, dialect)),
  ];
  const aliasOf = (key: string): string => (key === 'bucket' ? 'k_bucket' : (metrics as string[]).includes(key) ? `m_${key}` : `d_${key}`);
  const defaultOrder = query.bucket ? [{ by: 'bucket', direction: 'asc' }] : [{ by: metrics[0] as string, direction: 'desc' }];
  const order = (query.orderBy ?? defaultOrder).map((entry) => `${aliasOf(entry.by)} ${entry.direction === 'asc' ? 'ASC' : 'DESC'}`);
  // Every group key last, ascending: equal metrics come back in the same order on both engines.
  order.push(...groupKeys.map((key) => `${key} ASC`));
  const sql = [
    `SELECT ${select.join(', ')}`,
    `FROM ${dialect.table}`,
    `WHERE ${where.join(' AND ')}`,
    groupKeys.length > 0 ? `GROUP BY ${groupKeys.join(', ')}` : '',
    `ORDER BY ${order.join(', ')}`,
    `LIMIT ${integerLiteral(query.limit ?? DEFAULT_AGGREGATE_LIMIT)}`,
  ]
    .filter((part) => part.length > 0)
    .join(' ');
  return { sql, dimensions, metrics, bucketed: query.bucket !== undefined };
}

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  const number = Number(value);
  return Number.isNaN(number) ? null : number;
}

/** Turns one raw result row (either engine) into an {@link AggregateRow} with plain keys. */
export function readAggregateRow(raw: Record<string, unknown>, compiled: CompiledAggregate): AggregateRow {
  const row: AggregateRow = {};
  if (compiled.bucketed) row.bucket = new Date((toNumber(raw.k_bucket) ?? 0) * 1000).toISOString();
  for (const dimension of compiled.dimensions) {
    const value = raw[`d_${dimension}`];
    row[dimension] = DIMENSIONS[dimension] === 'number' ? toNumber(value) : String(value ?? '');
  }
  // A sum over no rows is NULL on DuckDB and 0 on ClickHouse: both read as 0. An average stays null.
  for (const metric of compiled.metrics) row[metric] = toNumber(raw[`m_${metric}`]) ?? (metric === 'avg_duration_ms' ? null : 0);
  return row;
}
