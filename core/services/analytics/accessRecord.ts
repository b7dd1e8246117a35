/**
 * One stored access-log record and the table that holds it. The column list is the single source
 * for both engines' DDL, the batch file's column order and the insert statements.
 */

/** One request as stored: enriched, validated, with no raw IP address. */
export interface AccessRecord {
  /** The site's name from the host file. */
  readonly site: string;
  /** When the request was served, unix milliseconds (stored with one-second precision). */
  readonly ts: number;
  /** HTTP status, 100–599. */
  readonly status: number;
  /** HTTP method, upper case (`GET` when the log format has none). */
  readonly method: string;
  /** Path and query as requested, without scheme and host. */
  readonly url: string;
  /** The path without its query string. */
  readonly path: string;
  /** `page` for documents (no extension, `.html`, `.htm`), else the lower-case extension. */
  readonly fileType: string;
  /** A page a human was shown: GET of a page answered 2xx or 304, not by a bot. */
  readonly isPageview: boolean;
  /** Response bytes sent. */
  readonly bytes: number;
  /** Time to serve in milliseconds, when the log says; null when it does not. */
  readonly durationMs: number | null;
  /** Host of the referrer, lower case, empty for none. */
  readonly referrerHost: string;
  /** ISO 3166 alpha-2 country code, upper case, empty when unknown. */
  readonly country: string;
  /** `desktop`, `mobile`, `tablet`, `bot` or `other`. */
  readonly device: string;
  /** Browser family (`Chrome`, `Firefox`, …), empty when unknown. */
  readonly browser: string;
  /** Operating system family, empty when unknown. */
  readonly os: string;
  /** True when the user agent is a crawler or tool. */
  readonly bot: boolean;
  /** CDN cache status (`HIT`, `MISS`, …), upper case, empty when none. */
  readonly cacheStatus: string;
  /** CDN edge location code, empty when none. */
  readonly edgeLocation: string;
  /** The CDN's or server's request id, empty when the log has none. */
  readonly requestId: string;
  /** Hash of (site, IP, user agent, daily salt), a safe integer: counts visitors without storing who they are. */
  readonly visitorId: number;
  /** Where the record came from: `bunny`, `nginx`, `caddy`, `edge`, … */
  readonly source: string;
}

/** One column of the access table, with its type in each engine. */
export interface AccessColumn {
  readonly name: string;
  readonly clickhouse: string;
  readonly duckdb: string;
}

/** The table's columns in storage order. `ingest_batch`/`ingest_row` make replays idempotent. */
export const ACCESS_COLUMNS: readonly AccessColumn[] = Object.freeze([
  { name: 'site', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'date', clickhouse: 'Date', duckdb: 'DATE' },
  { name: 'ts', clickhouse: "DateTime('UTC')", duckdb: 'TIMESTAMP' },
  { name: 'status', clickhouse: 'UInt16', duckdb: 'USMALLINT' },
  { name: 'status_class', clickhouse: 'UInt8', duckdb: 'UTINYINT' },
  { name: 'method', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'url', clickhouse: 'String', duckdb: 'VARCHAR' },
  { name: 'path', clickhouse: 'String', duckdb: 'VARCHAR' },
  { name: 'file_type', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'is_pageview', clickhouse: 'UInt8', duckdb: 'UTINYINT' },
  { name: 'bytes', clickhouse: 'UInt64', duckdb: 'UBIGINT' },
  { name: 'duration_ms', clickhouse: 'Nullable(UInt32)', duckdb: 'UINTEGER' },
  { name: 'referrer_host', clickhouse: 'String', duckdb: 'VARCHAR' },
  { name: 'country', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'device', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'browser', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'os', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'bot', clickhouse: 'UInt8', duckdb: 'UTINYINT' },
  { name: 'cache_status', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'edge_location', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'request_id', clickhouse: 'String', duckdb: 'VARCHAR' },
  { name: 'visitor_id', clickhouse: 'UInt64', duckdb: 'UBIGINT' },
  { name: 'source', clickhouse: 'LowCardinality(String)', duckdb: 'VARCHAR' },
  { name: 'ingest_batch', clickhouse: 'UInt64', duckdb: 'UBIGINT' },
  { name: 'ingest_row', clickhouse: 'UInt32', duckdb: 'UINTEGER' },
]);

/** The column names in storage order. */
export const ACCESS_COLUMN_NAMES: readonly string[] = Object.freeze(ACCESS_COLUMNS.map((column) => column.name));

/** The access table's name in both engines. */
export const ACCESS_TABLE = 'access';
