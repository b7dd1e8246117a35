/**
 * What the store needs from an engine: a handful of primitives, each implemented once for DuckDB
 * and once for ClickHouse. Everything above them — opening once, migrations, idempotent batch
 * inserts, queries, retention — is shared (engineStore.ts), so both engines behave the same.
 */
import type { AccessColumn } from './accessRecord.js';
import type { SqlDialect } from './aggregateSql.js';
import type { AnalyticsEngine } from './sqlLiteral.js';

/** One engine's primitives. Errors are HearthErrors: `…_UNAVAILABLE` (retry) or `…_REJECTED` (bad data). */
export interface StoreEngine {
  readonly engine: AnalyticsEngine;
  /** SQL differences, with the access table's qualified name. */
  readonly dialect: SqlDialect;
  /** The type a column gets when the table is created (known once connected). */
  columnType(column: AccessColumn): string;
  /** Qualifies a table name of the store's own schema (`<database>.<name>` on ClickHouse). */
  qualify(table: string): string;
  /** Opens connections and creates the database if needed. */
  connect(): Promise<void>;
  /** Runs a CREATE/ALTER statement of a migration. */
  ddl(sql: string): Promise<void>;
  /** Runs a statement that returns nothing. */
  run(sql: string): Promise<void>;
  /** Runs a query and returns its rows as plain objects. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Loads a batch file (see accessBatch.ts). `label` identifies the attempt (ClickHouse's query id). */
  insertFile(file: string, label: string): Promise<void>;
  /** Waits until no earlier attempt to insert the batch is still running on the server. */
  settle(batchId: bigint): Promise<void>;
  /** The `YYYYMM` months that hold rows. */
  months(): Promise<string[]>;
  /** Removes every row of one month (a partition drop on ClickHouse). */
  dropMonth(month: string): Promise<void>;
  /** Closes connections; safe to call twice. */
  close(): Promise<void>;
}

/** The label of one insert attempt of a batch; `settle` looks for labels with the batch's prefix. */
export function insertLabel(batchId: bigint, attempt: string): string {
  return `hearth-insert-${batchId.toString(16)}-${attempt}`;
}

/** The prefix shared by every insert attempt's label of a batch. */
export function insertLabelPrefix(batchId: bigint): string {
  return `hearth-insert-${batchId.toString(16)}-`;
}
