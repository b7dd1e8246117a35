/**
 * The DuckDB engine: an embedded database in one file, the default for a single server. Writes go
 * through one connection, one statement at a time; reads use a second connection so a dashboard
 * query never waits behind an insert. Batches load with `read_csv`, inside DuckDB, in one statement
 * (so one transaction).
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import type { DuckDBInstance, DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import { HearthError } from '../../errors/HearthError.js';
import { ACCESS_COLUMNS, ACCESS_TABLE } from './accessRecord.js';
import { duckdbDialect } from './aggregateSql.js';
import { checkIdentifier, duckdbString } from './sqlLiteral.js';
import type { StoreEngine } from './storeEngine.js';

/**
 * DuckDB's memory ceiling. Its own default is 80% of the machine's RAM, too much for one service
 * among several on a small server; beyond this it spills to a temp directory beside the file.
 */
const MEMORY_LIMIT = '512MB';
/**
 * DuckDB's worker threads: every core but one, which the host's own event loop needs (parsing
 * logs, serving). DuckDB's default of one per core made each insert slower on a 2-core server:
 * its threads and the event loop took turns on the same cores (bench:intake, 107k -> 132k lines/s).
 */
const DUCKDB_THREADS = Math.max(1, availableParallelism() - 1);

/** DuckDB error kinds that mean "this data cannot be stored", not "try again later". */
const REJECTING_ERRORS = /^(Conversion Error|Invalid Input Error|Constraint Error|Out of Range Error)/;

/** Where the engine keeps its file. */
export interface DuckDBEngineOptions {
  /** Absolute path of the database file; its directory is created. */
  readonly file: string;
  readonly logger: Logger;
}

function wrap(error: unknown, doing: string, file: string): HearthError {
  if (error instanceof HearthError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (REJECTING_ERRORS.test(message)) {
    return new HearthError('HEARTH_ERR_ANALYTICS_REJECTED', `DuckDB refused ${doing}: ${message}`, { cause: error });
  }
  return new HearthError(
    'HEARTH_ERR_ANALYTICS_UNAVAILABLE',
    `DuckDB (${file}) failed ${doing}: ${message}; check that no other process holds the file and the disk has room`,
    { cause: error },
  );
}

/** A queue that runs one task at a time, in order. */
function serial(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const next = tail.then(task, task);
    tail = next.catch(() => undefined);
    return next;
  };
}

/** The `read_csv` options that match the batch file format (accessBatch.ts). */
function readCsvSql(file: string): string {
  const columns = ACCESS_COLUMNS.map((column) => `${duckdbString(column.name)}: ${duckdbString(column.duckdb)}`).join(', ');
  return (
    `read_csv(${duckdbString(file)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
    `nullstr = '\\N', allow_quoted_nulls = false, columns = {${columns}})`
  );
}

/** A DuckDB file held open by an engine of this process. */
export interface HeldDuckDBFile {
  /** Runs `task` between two writes: it may run statements on the writer, and nothing else writes meanwhile. */
  holdingWrites<T>(task: (run: (sql: string) => Promise<void>) => Promise<T>): Promise<T>;
}

/**
 * Who has which DuckDB file in this process. A backup taken by the running host copies the file
 * through the engine that holds it (duckdbCopy.ts) and never opens the file a second time: two
 * instances on one file would both write it, and in one process closing a second handle drops
 * the lock the first one holds (POSIX locks are per process). An engine registers itself before
 * it opens the file, and waits while a copy of a file no engine held is being made. One registry
 * per process, even if this module were loaded twice.
 */
interface FileRegistry {
  readonly engines: Map<string, HeldDuckDBFile>;
  readonly copies: Map<string, Promise<unknown>>;
}
const REGISTRY = Symbol.for('hearth.analytics.duckdb.files');
const registry = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= { engines: new Map(), copies: new Map() }) as FileRegistry;

/** The engine of this process that has `file` open (or is opening it), if any. */
export function heldDuckDBFile(file: string): HeldDuckDBFile | undefined {
  return registry.engines.get(file);
}

/** The copy of `file` being made while no engine holds it, if any (resolves when it is done, failed or not). */
export function copyInProgress(file: string): Promise<unknown> | undefined {
  return registry.copies.get(file);
}

/**
 * Runs `task` on a file no engine of this process holds, keeping engines of this process from
 * opening it until the task is done. Undefined (nothing run) when an engine holds it or another
 * such task runs.
 */
export function withFileUnheld<T>(file: string, task: () => Promise<T>): Promise<T> | undefined {
  if (registry.engines.has(file) || registry.copies.has(file)) return undefined;
  const running = task().finally(() => registry.copies.delete(file));
  registry.copies.set(file, running.catch(() => undefined));
  return running;
}

/** Creates the DuckDB engine; nothing is opened until `connect`. */
export function createDuckDBEngine(options: DuckDBEngineOptions): StoreEngine {
  let instance: DuckDBInstance | undefined;
  let writer: DuckDBConnection | undefined;
  let reader: DuckDBConnection | undefined;
  const writes = serial();
  const reads = serial();
  const columnList = ACCESS_COLUMNS.map((column) => column.name).join(', ');

  const use = (kind: 'write' | 'read', doing: string, sql: string): Promise<Record<string, unknown>[]> =>
    (kind === 'write' ? writes : reads)(async () => {
      const connection = kind === 'write' ? writer : reader;
      if (!connection) throw new HearthError('HEARTH_ERR_ANALYTICS_UNAVAILABLE', `the DuckDB engine (${options.file}) is not open`);
      try {
        const result = await connection.runAndReadAll(sql);
        return result.getRowObjectsJS() as Record<string, unknown>[];
      } catch (error) {
        throw wrap(error, doing, options.file);
      }
    });
  const run = async (sql: string): Promise<void> => void (await use('write', 'a statement', sql));

  return {
    engine: 'duckdb',
    dialect: duckdbDialect(ACCESS_TABLE),
    columnType: (column) => column.duckdb,
    qualify: (name) => checkIdentifier(name, 'table'),
    async connect() {
      if (instance) return;
      // A copy of the file made while no engine held it finishes first.
      for (let copy = registry.copies.get(options.file); copy; copy = registry.copies.get(options.file)) await copy;
      let opened: (() => void) | undefined;
      const ready = new Promise<void>((resolve) => (opened = resolve));
      registry.engines.set(options.file, {
        holdingWrites: async (task) => {
          await ready;
          return writes(async () => {
            if (!writer) throw new HearthError('HEARTH_ERR_ANALYTICS_UNAVAILABLE', `the DuckDB engine (${options.file}) is not open`);
            try {
              return await task(async (sql) => void (await writer!.run(sql)));
            } catch (error) {
              throw wrap(error, 'a copy of its file', options.file);
            }
          });
        },
      });
      try {
        await mkdir(dirname(options.file), { recursive: true });
        // DuckDB's native module loads here, on first use: ~300 ms and 30 MB a host need not pay to start.
        const { DuckDBInstance } = await import('@duckdb/node-api');
        // Rows have no order to keep (queries aggregate): letting DuckDB append in any order is faster.
        const created = await DuckDBInstance.create(options.file, { memory_limit: MEMORY_LIMIT, preserve_insertion_order: 'false', threads: String(DUCKDB_THREADS) });
        writer = await created.connect();
        reader = await created.connect();
        instance = created;
      } catch (error) {
        registry.engines.delete(options.file);
        throw wrap(error, 'to open its file', options.file);
      } finally {
        opened!();
      }
      options.logger.debug({ file: options.file }, 'opened DuckDB');
    },
    ddl: run,
    run,
    rows: (sql) => use('read', 'a query', sql),
    insertFile: async (file) => void (await use('write', 'an insert', `INSERT INTO ${ACCESS_TABLE} (${columnList}) SELECT * FROM ${readCsvSql(file)}`)),
    // An insert is one statement in this process: when it returned or threw, it is over.
    settle: async () => undefined,
    async months() {
      const rows = await use('read', 'a query', `SELECT DISTINCT strftime(date, '%Y%m') AS month FROM ${ACCESS_TABLE}`);
      return rows.map((row) => String(row.month));
    },
    async dropMonth(month) {
      if (!/^\d{6}$/.test(month)) throw new RangeError(`'${month}' is not a YYYYMM month`);
      const first = `${month.slice(0, 4)}-${month.slice(4)}-01`;
      const start = `DATE ${duckdbString(first)}`;
      await run(`DELETE FROM ${ACCESS_TABLE} WHERE date >= ${start} AND date < ${start} + INTERVAL 1 MONTH`);
    },
    async close() {
      registry.engines.delete(options.file);
      await writes(async () => undefined);
      await reads(async () => undefined);
      reader?.closeSync();
      writer?.closeSync();
      instance?.closeSync();
      reader = writer = instance = undefined;
    },
  };
}
