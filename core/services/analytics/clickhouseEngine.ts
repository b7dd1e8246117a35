/**
 * The ClickHouse engine, over @clickhouse/client's HTTP interface. Written for what both Debian's
 * 18.16 and current releases accept: no query parameters (values are escaped literals), no TTL
 * (retention drops partitions), LowCardinality columns only where it is no longer experimental
 * (19.3 and later), batches loaded as CSV with an explicit column list.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ClickHouseClient, Logger as ClientLogger, LogParams } from '@clickhouse/client';
import type { Logger } from 'pino';
import { HearthError } from '../../errors/HearthError.js';
import type { Secret } from '../../config/secret.js';
import { ACCESS_COLUMN_NAMES, ACCESS_TABLE } from './accessRecord.js';
import { clickhouseDialect } from './aggregateSql.js';
import { checkIdentifier, clickhouseString } from './sqlLiteral.js';
import { insertLabelPrefix, type StoreEngine } from './storeEngine.js';

/** Milliseconds one request may take: a 50k-row insert takes well under a second; the client's default. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Connections kept to the server: one inserter, a few dashboard queries. */
const MAX_CONNECTIONS = 8;
/** Milliseconds between looks at system.processes while an earlier insert attempt still runs. */
const SETTLE_POLL_MS = 200;
/** Milliseconds `settle` waits for an earlier attempt before giving up (it then retries later). */
const SETTLE_TIMEOUT_MS = 300_000;

/** Server error codes that mean "this data cannot be stored", not "try again later". */
const REJECTING_CODES = new Set(['6', '26', '27', '32', '38', '41', '53', '69', '72', '117', '131']);

/** Where the engine connects. */
export interface ClickHouseEngineOptions {
  readonly url: string;
  readonly database: string;
  readonly user: string;
  readonly password?: Secret;
  readonly logger: Logger;
}

/** The client library, loaded when an engine first connects: a host on DuckDB never loads it. */
let driver: typeof import('@clickhouse/client') | undefined;

function isServerError(error: unknown): error is InstanceType<NonNullable<typeof driver>['ClickHouseError']> {
  return driver !== undefined && error instanceof driver.ClickHouseError;
}

/**
 * Reads a whole file with one read request. `readFile` reads 512 KiB at a time, each piece a turn
 * of the event loop: with the loop busy parsing logs, a 15 MB batch took hundreds of milliseconds
 * to read, and the inserts fell behind.
 */
async function readAtOnce(file: string, memory: (size: number) => Buffer): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const body = memory(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(body, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === size ? body : body.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/**
 * The memory batch bodies are read into, reused from one insert to the next: a fresh 15 MB
 * buffer per batch is external memory V8 answers with full collections. An insert that fails
 * gives the memory up (a cancelled request may still hold it), and one that finds it taken reads
 * into memory of its own.
 */
class BodyMemory {
  #buffer: Buffer | undefined;
  #taken = false;

  /** Reads `file` whole and runs `use` on its bytes. */
  async with(file: string, use: (body: Buffer) => Promise<void>): Promise<void> {
    if (this.#taken) return use(await readAtOnce(file, (size) => Buffer.allocUnsafe(size)));
    this.#taken = true;
    try {
      await use(await readAtOnce(file, (size) => this.#memory(size)));
    } catch (error) {
      this.#buffer = undefined;
      throw error;
    } finally {
      this.#taken = false;
    }
  }

  #memory(size: number): Buffer {
    if (this.#buffer === undefined || this.#buffer.length < size) this.#buffer = Buffer.allocUnsafeSlow(size);
    return this.#buffer.subarray(0, size);
  }
}

function wrap(error: unknown, doing: string, url: string): HearthError {
  if (error instanceof HearthError) return error;
  if (isServerError(error) && REJECTING_CODES.has(error.code)) {
    return new HearthError('HEARTH_ERR_ANALYTICS_REJECTED', `ClickHouse refused ${doing}: ${error.message}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HearthError(
    'HEARTH_ERR_ANALYTICS_UNAVAILABLE',
    `ClickHouse at ${url} failed ${doing}: ${message}; check that the server runs and the url, user and password in analytics.clickhouse are right`,
    { cause: error },
  );
}

/**
 * Routes the client's own log lines into the host's logger. Its request errors go to debug: the
 * store turns each failure into a HearthError that its caller reports once.
 */
function clientLoggerClass(logger: Logger): new () => ClientLogger {
  const write = (level: 'trace' | 'debug' | 'info' | 'warn', params: LogParams & { err?: Error }): void =>
    logger[level]({ module: params.module, err: params.err }, params.message);
  return class ClientLogAdapter implements ClientLogger {
    trace(params: LogParams): void {
      write('trace', params);
    }
    debug(params: LogParams): void {
      write('debug', params);
    }
    info(params: LogParams): void {
      write('info', params);
    }
    warn(params: LogParams & { err?: Error }): void {
      write('warn', params);
    }
    error(params: LogParams & { err: Error }): void {
      write('debug', params);
    }
  };
}

/**
 * True for ClickHouse versions where LowCardinality is still experimental (before 19.3: it needs
 * `allow_experimental_low_cardinality_type`). On those the store uses plain String columns: on
 * 18.16, measured here, LowCardinality made batch inserts about three times slower.
 */
export function lowCardinalityIsExperimental(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major < 19 || (major === 19 && minor < 3);
}

/** Creates the ClickHouse engine; nothing connects until `connect`. */
export function createClickHouseEngine(options: ClickHouseEngineOptions): StoreEngine {
  const database = checkIdentifier(options.database, 'analytics.clickhouse.database');
  const table = `${database}.${ACCESS_TABLE}`;
  let client: ClickHouseClient | undefined;
  let lowCardinality = false;
  const bodies = new BodyMemory();

  const connected = (): ClickHouseClient => {
    if (!client) throw new HearthError('HEARTH_ERR_ANALYTICS_UNAVAILABLE', 'the ClickHouse engine is not connected');
    return client;
  };
  const attempt = async <T>(doing: string, work: (c: ClickHouseClient) => Promise<T>): Promise<T> => {
    try {
      return await work(connected());
    } catch (error) {
      throw wrap(error, doing, options.url);
    }
  };
  const rows = (sql: string): Promise<Record<string, unknown>[]> =>
    attempt('a query', async (c) => {
      const result = await c.query({ query: sql, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
      return result.json<Record<string, unknown>>();
    });
  const run = (sql: string): Promise<void> => attempt('a statement', async (c) => void (await c.command({ query: sql })));

  return {
    engine: 'clickhouse',
    dialect: clickhouseDialect(table),
    columnType: (column) => (lowCardinality ? column.clickhouse : column.clickhouse.replace(/^LowCardinality\((.+)\)$/, '$1')),
    qualify: (name) => `${database}.${checkIdentifier(name, 'table')}`,
    async connect() {
      driver ??= await import('@clickhouse/client');
      client ??= driver.createClient({
        url: options.url,
        username: options.user,
        password: options.password?.reveal() ?? '',
        request_timeout: REQUEST_TIMEOUT_MS,
        max_open_connections: MAX_CONNECTIONS,
        compression: { request: false, response: false },
        log: { LoggerClass: clientLoggerClass(options.logger.child({ component: 'clickhouse-client' })) },
      });
      const [row] = await rows('SELECT version() AS version');
      const version = String(row?.version ?? '');
      lowCardinality = !lowCardinalityIsExperimental(version);
      options.logger.debug({ version, database }, 'connected to ClickHouse');
      await run(`CREATE DATABASE IF NOT EXISTS ${database}`);
    },
    ddl: run,
    run,
    rows,
    insertFile: (file, label) =>
      attempt('an insert', async (c) => {
        // One buffer, one write: a chunked stream would need the event loop (busy parsing logs)
        // for every 64 KiB. A batch file is bounded by the batch size (about 15 MB at 50k rows).
        await bodies.with(file, async (body) => {
          await c.insert({ table, values: Readable.from([body], { objectMode: false }), format: 'CSV', columns: [...ACCESS_COLUMN_NAMES] as [string, ...string[]], query_id: label });
        });
      }),
    async settle(batchId) {
      const deadline = Date.now() + SETTLE_TIMEOUT_MS;
      const prefix = clickhouseString(insertLabelPrefix(batchId));
      for (;;) {
        let running: number;
        try {
          const [row] = await rows(`SELECT count() AS running FROM system.processes WHERE startsWith(query_id, ${prefix})`);
          running = Number(row?.running ?? 0);
        } catch (error) {
          // A user barred from system.processes cannot wait this way; the row check still runs.
          if (isServerError((error as Error).cause)) return;
          throw error;
        }
        if (running === 0) return;
        if (Date.now() > deadline) {
          throw new HearthError('HEARTH_ERR_ANALYTICS_UNAVAILABLE', `an earlier insert of batch ${batchId} is still running on ClickHouse after ${SETTLE_TIMEOUT_MS} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
      }
    },
    async months() {
      const parts = await rows(
        `SELECT DISTINCT partition FROM system.parts WHERE database = ${clickhouseString(database)} AND table = ${clickhouseString(ACCESS_TABLE)} AND active`,
      );
      return parts.map((part) => String(part.partition));
    },
    async dropMonth(month) {
      if (!/^\d{6}$/.test(month)) throw new RangeError(`'${month}' is not a YYYYMM partition`);
      await run(`ALTER TABLE ${table} DROP PARTITION ${month}`);
    },
    async close() {
      const open = client;
      client = undefined;
      await open?.close();
    },
  };
}
