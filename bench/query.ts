/**
 * bench:query — the dashboard's requests (the seven panels of plugins/query/dashboard, last 30
 * days, UTC) against 10,000,000 generated access rows, through the analytics API of a running host
 * on ClickHouse and on DuckDB. In the same run, the exact SQL the API sent to ClickHouse is run by
 * `clickhouse-client --time` (the anchor: the engine alone), rounds alternating with the API's so
 * both see the same machine load; a request's direct time is the sum of its statements run one
 * after another (the API runs a request's series and totals queries side by side).
 *
 * Rows are generated inside each engine from the same formulas over a row number (INSERT ...
 * SELECT from numbers() / range()): 90 days, three sites, visits of 8 requests, 500 pages,
 * 300,000 visitors, 5% bots (see test/query/generatedAccessRows.ts).
 *
 * Targets: API p95 <= 1.3x direct ClickHouse p95; DuckDB p95 < 250 ms.
 * Run: npx tsx bench/query.ts   (ROWS=1000000 ITERATIONS=5 for a quicker look)
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pino from 'pino';
import { ACCESS_COLUMN_NAMES, ACCESS_TABLE } from '../core/services/analytics/accessRecord.js';
import type { AggregateQuery } from '../core/services/analytics/aggregateQuery.js';
import { clickhouseDialect, compileAggregate } from '../core/services/analytics/aggregateSql.js';
import { createAnalyticsStore, type AnalyticsStore } from '../core/services/analytics/analyticsStore.js';
import { ManualClock } from '../core/services/clock.js';
import { hashToken } from '../core/services/tokens.js';
import { DASHBOARD_PANELS, panelRequest } from '../plugins/query/dashboard/dashboardPanels.js';
import { bootHost, type BootedHost } from '../test/helpers/bootHost.js';
import { startClickHouse } from '../test/setup/clickhouseServer.js';
import { generatedColumns, type GeneratorDialect } from '../test/query/generatedAccessRows.js';

const ROWS = Number(process.env.ROWS ?? 10_000_000);
const ITERATIONS = Number(process.env.ITERATIONS ?? 20);
const WARMUP = 2;
/** The host's clock: the data's 90 days end here. */
const NOW = Date.UTC(2024, 5, 30, 12);
const TOKEN = 'hth_bench-query-reader';
const SITE = 'example.com';

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

const round = (value: number): number => Math.round(value * 100) / 100;

function clickhouseClient(port: number, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('clickhouse-client', ['--port', String(port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`clickhouse-client exited ${code}: ${stderr.slice(0, 800)}`))));
    child.stdin.end(input ?? '');
  });
}

function hostFile(analytics: string): string {
  return `
hosts:
  bench:
    port: 0
    log: { level: warn }
    analytics: ${analytics}
    plugins:
      query: { rateLimit: { enabled: false } }
sites:
  example.com: {}
  blog.example.org: {}
  shop.example.net: {}
tokens:
  bench: { hash: "${hashToken(TOKEN)}", sites: ["*"], scopes: [read] }
`;
}

function insertSql(dialect: GeneratorDialect, table: string): string {
  const columns = generatedColumns(dialect, ROWS);
  const source = dialect === 'clickhouse' ? `numbers(${ROWS})` : `range(${ROWS}) AS numbers(number)`;
  return `INSERT INTO ${table} (${ACCESS_COLUMN_NAMES.join(', ')}) SELECT ${ACCESS_COLUMN_NAMES.map((name) => columns[name]).join(', ')} FROM ${source}`;
}

/** The dashboard's requests, as the page sends them for the last 30 days in UTC. */
const REQUESTS = DASHBOARD_PANELS.map((panel) => panelRequest(panel, SITE, '30d', 'UTC', 'exclude'));

/** Times each dashboard request through the API, `rounds` times; returns milliseconds per request. */
async function timeApi(host: BootedHost, rounds: number, beforeRequest?: (index: number) => void): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [index, body] of REQUESTS.entries()) {
      beforeRequest?.(index);
      const started = performance.now();
      const response = await fetch(`${host.url}/query/v1/stats`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { data?: unknown[] };
      samples.push(performance.now() - started);
      if (response.status !== 200 || !Array.isArray(answer.data)) throw new Error(`request ${index} failed: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
    }
  }
  return samples;
}

/**
 * Runs the statements of one round with `clickhouse-client --time` (the server's time as its own
 * client sees it, without the client's start-up); returns milliseconds per dashboard request.
 */
async function timeDirect(port: number, statements: readonly { request: number; sql: string }[]): Promise<number[]> {
  const { stderr } = await clickhouseClient(port, ['--multiquery', '--time', '--format', 'Null'], statements.map((statement) => `${statement.sql};`).join('\n'));
  const times = stderr.split('\n').filter((line) => /^\d+(\.\d+)?$/.test(line.trim())).map((line) => Number(line) * 1000);
  if (times.length !== statements.length) throw new Error(`clickhouse-client timed ${times.length} statements, expected ${statements.length}: ${stderr.slice(0, 300)}`);
  return REQUESTS.map((_body, request) => statements.reduce((sum, statement, index) => (statement.request === request ? sum + times[index]! : sum), 0));
}

async function fillDuckDB(file: string): Promise<void> {
  const logger = pino({ level: 'warn' });
  const store = createAnalyticsStore({ engine: 'duckdb', duckdbFile: file, retentionMonths: 13 }, { logger });
  await store.open();
  await store.close();
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(insertSql('duckdb', ACCESS_TABLE));
  await connection.run('CHECKPOINT');
  connection.closeSync();
  instance.closeSync();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-query-'));
  // Other work on the machine moves every figure here: say how busy it was.
  log(`load average at start: ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
  const clickhouse = await startClickHouse();
  const hosts: BootedHost[] = [];
  try {
    const clock = new ManualClock(NOW);
    const chDir = join(dir, 'clickhouse');
    const duckDir = join(dir, 'duckdb');
    await Promise.all([mkdir(chDir), mkdir(duckDir)]);
    const chHost = await bootHost(hostFile(`{ engine: clickhouse, clickhouse: { url: "${clickhouse.fixture.url}", database: bench } }`), { dir: chDir, clock });
    hosts.push(chHost);
    const duckHost = await bootHost(hostFile('{ engine: duckdb }'), { dir: duckDir, clock });
    hosts.push(duckHost);

    const chStore = chHost.host.container.cradle.analytics as AnalyticsStore;
    await chStore.open();
    const database = chHost.host.config.analytics.clickhouse!.database;
    const table = `${database}.${ACCESS_TABLE}`;
    let started = performance.now();
    await clickhouseClient(clickhouse.fixture.tcpPort, ['--query', insertSql('clickhouse', table)]);
    await clickhouseClient(clickhouse.fixture.tcpPort, ['--query', `OPTIMIZE TABLE ${table} FINAL`]);
    log(`clickhouse: ${ROWS} rows generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    await fillDuckDB(duckHost.host.config.analytics.duckdbFile);
    log(`duckdb: ${ROWS} rows generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if ((await chStore.count()) !== ROWS) throw new Error('clickhouse does not hold every generated row');

    // Record the store queries each API request makes, to run the same SQL directly.
    const recorded: { request: number; query: AggregateQuery }[] = [];
    let current = -1;
    const aggregate = chStore.aggregate.bind(chStore);
    chStore.aggregate = (query) => {
      recorded.push({ request: current, query });
      return aggregate(query);
    };
    await timeApi(chHost, WARMUP);
    recorded.length = 0;
    await timeApi(chHost, 1, (index) => void (current = index));
    const statements = recorded.map((entry) => ({ request: entry.request, sql: compileAggregate(entry.query, clickhouseDialect(table)).sql }));
    // Rounds alternate between the API and clickhouse-client, so both see the same load.
    const api: number[] = [];
    const direct: number[] = [];
    for (let round = 0; round < ITERATIONS; round++) {
      api.push(...(await timeApi(chHost, 1)));
      direct.push(...(await timeDirect(clickhouse.fixture.tcpPort, statements)));
    }

    await timeApi(duckHost, WARMUP);
    const duck = await timeApi(duckHost, ITERATIONS);

    const result = {
      bench: 'query',
      rows: ROWS,
      api_p50_ms: round(percentile(api, 50)),
      api_p95_ms: round(percentile(api, 95)),
      direct_p95_ms: round(percentile(direct, 95)),
      ratio_p95: round(percentile(api, 95) / percentile(direct, 95)),
      duckdb_p50_ms: round(percentile(duck, 50)),
      duckdb_p95_ms: round(percentile(duck, 95)),
    };
    log(`dashboard: ${REQUESTS.length} requests x ${ITERATIONS} rounds; ${statements.length} store queries per round`);
    const panelP50 = (samples: readonly number[], panel: number): number => round(percentile(samples.filter((_sample, index) => index % REQUESTS.length === panel), 50));
    for (const [panel, spec] of DASHBOARD_PANELS.entries()) {
      log(`  ${spec.id.padEnd(10)} p50: api ${panelP50(api, panel)} ms, direct ${panelP50(direct, panel)} ms, duckdb ${panelP50(duck, panel)} ms`);
    }
    log(`clickhouse via API: p50 ${result.api_p50_ms} ms, p95 ${result.api_p95_ms} ms`);
    log(`clickhouse-client, same SQL: p50 ${round(percentile(direct, 50))} ms, p95 ${result.direct_p95_ms} ms (ratio ${result.ratio_p95}; target <= 1.3)`);
    log(`duckdb via API: p50 ${result.duckdb_p50_ms} ms, p95 ${result.duckdb_p95_ms} ms (target < 250)`);
    log(`load average at the end: ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
    console.log(JSON.stringify(result));
  } finally {
    for (const host of hosts) await host.stop().catch(() => undefined);
    await clickhouse.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
