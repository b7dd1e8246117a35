/**
 * Access rows generated inside the engines, for bench/query.ts: one SQL expression per column of
 * the access table over a row number, written once for ClickHouse (`numbers()`) and once for
 * DuckDB (`range()`), with the same arithmetic, so both engines hold the same rows without
 * sending ten million of them through JavaScript.
 *
 * Row n: time spread evenly over the 90 days before 2024-06-30 12:00 UTC (ts grows with n, as
 * real logs arrive). Rows come in visits of 8 consecutive requests (a page and its assets) by one
 * visitor on one site, with one device, browser, country and referrer: site example.com for 70%
 * of visits, 300,000 visitors, 5% of visits by bots; 500 pages and 97 images; statuses
 * 200/304/404/301/500/503.
 */
import { ACCESS_COLUMN_NAMES } from '../../core/services/analytics/accessRecord.js';

/** The engines the generator writes SQL for. */
export type GeneratorDialect = 'clickhouse' | 'duckdb';

/** The last second of generated data (unix seconds). */
export const GENERATED_END_S = Date.UTC(2024, 5, 30, 12) / 1000;
/** Seconds of data: 90 days. */
export const GENERATED_SPAN_S = 90 * 86_400;

/** `values[selector]` for a selector in 0..values.length-1 (an ELSE keeps the type non-nullable). */
function choose(selector: string, values: readonly string[]): string {
  const cases = values.slice(0, -1).map((value, index) => `WHEN ${index} THEN ${value}`);
  return `CASE ${selector} ${cases.join(' ')} ELSE ${values.at(-1)} END`;
}

function text(values: readonly string[]): string[] {
  return values.map((value) => `'${value}'`);
}

/** The SELECT expression of every access column, for `rows` rows numbered by `number`. */
export function generatedColumns(dialect: GeneratorDialect, rows: number): Record<string, string> {
  const n = 'number';
  const div = (a: string, b: string | number): string => (dialect === 'clickhouse' ? `intDiv(${a}, ${b})` : `((${a}) // ${b})`);
  const str = (value: string): string => (dialect === 'clickhouse' ? `toString(${value})` : `CAST(${value} AS VARCHAR)`);
  const seconds = `(${GENERATED_END_S - GENERATED_SPAN_S} + ${div(`${n} * ${GENERATED_SPAN_S}`, rows)})`;
  const ts = dialect === 'clickhouse' ? `toDateTime(${seconds}, 'UTC')` : `make_timestamp(${seconds} * 1000000)`;
  const visit = div(n, 8);
  const isPage = `(${n} % 10 < 7)`;
  const isBot = `(${visit} % 20 = 0)`;
  const statusPick = `((${n} * 7) % 100)`;
  const status = `CASE WHEN ${statusPick} < 85 THEN 200 WHEN ${statusPick} < 90 THEN 304 WHEN ${statusPick} < 94 THEN 404 WHEN ${statusPick} < 96 THEN 301 WHEN ${statusPick} < 98 THEN 500 ELSE 503 END`;
  const path = `CASE WHEN ${isPage} THEN '/posts/' || ${str(`(${n} * 7919) % 500`)} || '/' ELSE '/assets/img-' || ${str(`${n} % 97`)} || '.webp' END`;
  const columns: Record<string, string> = {
    site: `CASE WHEN ${visit} % 10 < 7 THEN 'example.com' WHEN ${visit} % 10 < 9 THEN 'blog.example.org' ELSE 'shop.example.net' END`,
    date: dialect === 'clickhouse' ? `toDate(${ts})` : `CAST(${ts} AS DATE)`,
    ts,
    status,
    status_class: div(status, 100),
    method: `'GET'`,
    url: path,
    path,
    file_type: `CASE WHEN ${isPage} THEN 'page' ELSE 'webp' END`,
    is_pageview: `CASE WHEN ${isPage} AND ${statusPick} < 90 AND NOT ${isBot} THEN 1 ELSE 0 END`,
    bytes: `500 + (${n} * 131) % 60000`,
    duration_ms: `${n} % 300`,
    referrer_host: choose(`${visit} % 11`, text(['', '', '', '', '', '', 'www.google.com', 'news.ycombinator.com', 't.co', 'duckduckgo.com', 'lobste.rs'])),
    country: choose(`${visit} % 12`, text(['DE', 'US', 'FR', 'GB', 'NL', 'JP', 'IN', 'BR', 'CA', 'SE', 'PL', ''])),
    device: `CASE WHEN ${isBot} THEN 'bot' WHEN ${visit} % 10 < 6 THEN 'desktop' WHEN ${visit} % 10 < 9 THEN 'mobile' ELSE 'tablet' END`,
    browser: `CASE WHEN ${isBot} THEN '' ELSE ${choose(`${visit} % 5`, text(['Chrome', 'Firefox', 'Safari', 'Edge', 'Chrome']))} END`,
    os: `CASE WHEN ${isBot} THEN '' ELSE ${choose(`${visit} % 5`, text(['Windows', 'Linux', 'macOS', 'Windows', 'Android']))} END`,
    bot: `CASE WHEN ${isBot} THEN 1 ELSE 0 END`,
    cache_status: choose(`${n} % 4`, text(['HIT', 'HIT', 'MISS', 'EXPIRED'])),
    edge_location: `'DE'`,
    request_id: `''`,
    visitor_id: `1 + (${visit} * 2654435761) % 300000`,
    source: `'bench'`,
    ingest_batch: '0',
    ingest_row: `${n} % 4000000000`,
  };
  for (const name of ACCESS_COLUMN_NAMES) if (!(name in columns)) throw new Error(`the generator has no expression for column '${name}'`);
  return columns;
}
