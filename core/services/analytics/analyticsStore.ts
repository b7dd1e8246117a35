/**
 * The analytics store: where access-log records are kept and queried, per site. Two engines behind
 * one interface — DuckDB (embedded, one file, the default) and ClickHouse (at scale) — with the same
 * schema (site first in the sort key, then the date; monthly partitions), the same idempotent batch
 * inserts and the same typed queries. The store opens and migrates on first use, or when `open` is
 * called; the host closes it on shutdown.
 */
import type { Logger } from 'pino';
import type { AnalyticsConfig } from '../../config/types.js';
import { HearthError } from '../../errors/HearthError.js';
import type { AccessBatch } from './accessBatch.js';
import type { AccessRecord } from './accessRecord.js';
import type { AggregateQuery, AggregateRow } from './aggregateQuery.js';
import { createClickHouseEngine } from './clickhouseEngine.js';
import { createDuckDBEngine } from './duckdbEngine.js';
import { EngineStore } from './engineStore.js';
import './errors.js';
import type { AnalyticsEngine } from './sqlLiteral.js';

/** What an insert did: rows written, and rows skipped because an earlier attempt had stored them. */
export interface InsertOutcome {
  readonly inserted: number;
  readonly skipped: number;
}

/** Access-log storage and aggregate queries, on DuckDB or ClickHouse. */
export interface AnalyticsStore {
  /** The engine behind the store. */
  readonly engine: AnalyticsEngine;
  /**
   * Connects and brings the schema up to date. Every other method calls it first, so calling it is
   * optional; a failure is not cached (the next call tries again). Throws `…_UNAVAILABLE` or `…_SCHEMA`.
   */
  open(): Promise<void>;
  /** Stores records (a convenience for small inserts; bulk callers write batch files). */
  insert(records: readonly AccessRecord[]): Promise<InsertOutcome>;
  /**
   * Stores a batch file. With `mayBePartlyStored`, rows an earlier attempt already stored are
   * skipped, so replaying a batch any number of times stores each row once. Throws
   * `…_UNAVAILABLE` (retry later) or `…_REJECTED` (the data itself was refused).
   */
  insertBatch(batch: AccessBatch): Promise<InsertOutcome>;
  /** Rows stored, for one site or all. */
  count(site?: string): Promise<number>;
  /** Runs an aggregate query (checked against the allow-lists; throws `…_QUERY_INVALID`). */
  aggregate(query: AggregateQuery): Promise<AggregateRow[]>;
  /** Drops every month that lies entirely before `cutoff`; returns the months dropped (`YYYYMM`). */
  dropPartitionsBefore(cutoff: Date): Promise<string[]>;
  /** Drops the months older than `retentionMonths` before `now`'s month; returns those dropped. */
  applyRetention(now: Date): Promise<string[]>;
  /** Closes connections and files; safe to call twice. */
  close(): Promise<void>;
}

/** Creates the store of a host's `analytics` config. Nothing is opened until first use. */
export function createAnalyticsStore(config: AnalyticsConfig, deps: { logger: Logger }): AnalyticsStore {
  const logger = deps.logger;
  if (config.engine === 'clickhouse') {
    const clickhouse = config.clickhouse;
    if (!clickhouse) {
      throw new HearthError('HEARTH_ERR_ANALYTICS_CONFIG', "analytics.engine is 'clickhouse' but analytics.clickhouse (url, database, user) is missing");
    }
    const engine = createClickHouseEngine({ ...clickhouse, logger });
    return new EngineStore(engine, config.retentionMonths, logger);
  }
  return new EngineStore(createDuckDBEngine({ file: config.duckdbFile, logger }), config.retentionMonths, logger);
}
