/**
 * The store's behaviour, shared by both engines: opens once (on first use or an explicit `open`),
 * migrates the schema, inserts batches idempotently, answers aggregate queries and applies
 * retention. A failed open is not remembered: the next call tries again, so a store that was down
 * when the host started is used as soon as it is back.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { HearthError } from '../../errors/HearthError.js';
import { encodeAccessRow, newBatchId, readBatchFile, type AccessBatch, type BatchLine } from './accessBatch.js';
import type { AccessRecord } from './accessRecord.js';
import { checkAggregateQuery, type AggregateQuery, type AggregateRow } from './aggregateQuery.js';
import { compileAggregate, readAggregateRow } from './aggregateSql.js';
import type { AnalyticsStore, InsertOutcome } from './analyticsStore.js';
import { monthsBefore, retentionCutoff } from './retention.js';
import { migrate } from './schemaMigrations.js';
import { insertLabel, type StoreEngine } from './storeEngine.js';

/** Most sites one replay check lists in `site IN (…)`; a batch with more is narrowed by date only. */
const MAX_SITES_IN_REPLAY_CHECK = 200;

/** An {@link AnalyticsStore} on top of one engine's primitives. */
export class EngineStore implements AnalyticsStore {
  readonly engine: AnalyticsStore['engine'];
  readonly #engine: StoreEngine;
  readonly #retentionMonths: number;
  readonly #logger: Logger;
  #opening: Promise<void> | undefined;
  #closed = false;

  constructor(engine: StoreEngine, retentionMonths: number, logger: Logger) {
    this.engine = engine.engine;
    this.#engine = engine;
    this.#retentionMonths = retentionMonths;
    this.#logger = logger;
  }

  open(): Promise<void> {
    if (this.#closed) return Promise.reject(new HearthError('HEARTH_ERR_ANALYTICS_UNAVAILABLE', 'the analytics store is closed'));
    this.#opening ??= (async () => {
      await this.#engine.connect();
      const applied = await migrate(this.#engine);
      if (applied.length > 0) this.#logger.info({ engine: this.engine, versions: applied }, 'analytics schema migrated');
    })().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async insert(records: readonly AccessRecord[]): Promise<InsertOutcome> {
    if (records.length === 0) return { inserted: 0, skipped: 0 };
    const id = newBatchId();
    const dir = await mkdtemp(join(tmpdir(), 'hearth-batch-'));
    const file = join(dir, 'batch.csv');
    try {
      await writeFile(file, records.map((record, row) => encodeAccessRow(record, id, row)).join(''));
      return await this.insertBatch({ id, file, rowCount: records.length, mayBePartlyStored: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async insertBatch(batch: AccessBatch): Promise<InsertOutcome> {
    await this.open();
    const label = insertLabel(batch.id, randomBytes(4).toString('hex'));
    if (!batch.mayBePartlyStored) {
      if (batch.rowCount > 0) await this.#engine.insertFile(batch.file, label);
      return { inserted: batch.rowCount, skipped: 0 };
    }
    await this.#engine.settle(batch.id);
    const lines = await readBatchFile(batch.file);
    if (lines.length === 0) return { inserted: 0, skipped: 0 };
    const stored = await this.#storedRows(batch.id, lines);
    const missing = lines.filter((line) => !stored.has(line.row));
    if (missing.length === lines.length) {
      await this.#engine.insertFile(batch.file, label);
    } else if (missing.length > 0) {
      const rest = `${batch.file}.rest`;
      try {
        await writeFile(rest, missing.map((line) => `${line.text}\n`).join(''));
        await this.#engine.insertFile(rest, label);
      } finally {
        await rm(rest, { force: true });
      }
    }
    if (missing.length < lines.length) {
      this.#logger.info({ batch: batch.id.toString(16), skipped: lines.length - missing.length }, 'replayed batch was partly stored already');
    }
    return { inserted: missing.length, skipped: lines.length - missing.length };
  }

  /** The row indexes of a batch that the store already holds, looked up by site and date first. */
  async #storedRows(batchId: bigint, lines: readonly BatchLine[]): Promise<Set<number>> {
    const dialect = this.#engine.dialect;
    const sites = [...new Set(lines.map((line) => line.site))];
    const dates = lines.map((line) => line.date).sort();
    const first = Date.parse(`${dates[0]}T00:00:00Z`);
    const last = Date.parse(`${dates.at(-1)}T00:00:00Z`);
    const where = [
      ...(sites.length <= MAX_SITES_IN_REPLAY_CHECK ? [`site IN (${sites.map((site) => dialect.string(site)).join(', ')})`] : []),
      `date >= ${dialect.date(first)}`,
      `date <= ${dialect.date(last)}`,
      `ingest_batch = ${batchId.toString(10)}`,
    ];
    const rows = await this.#engine.rows(`SELECT ingest_row AS r FROM ${dialect.table} WHERE ${where.join(' AND ')}`);
    return new Set(rows.map((row) => Number(row.r)));
  }

  async count(site?: string): Promise<number> {
    await this.open();
    const dialect = this.#engine.dialect;
    const where = site === undefined ? '' : ` WHERE site = ${dialect.string(site)}`;
    const [row] = await this.#engine.rows(`SELECT count(*) AS n FROM ${dialect.table}${where}`);
    return Number(row?.n ?? 0);
  }

  async aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    checkAggregateQuery(query);
    await this.open();
    const compiled = compileAggregate(query, this.#engine.dialect);
    const rows = await this.#engine.rows(compiled.sql);
    return rows.map((row) => readAggregateRow(row, compiled));
  }

  async dropPartitionsBefore(cutoff: Date): Promise<string[]> {
    await this.open();
    const months = monthsBefore(await this.#engine.months(), cutoff);
    for (const month of months) await this.#engine.dropMonth(month);
    if (months.length > 0) this.#logger.info({ months }, 'analytics months dropped');
    return months;
  }

  applyRetention(now: Date): Promise<string[]> {
    return this.dropPartitionsBefore(retentionCutoff(now, this.#retentionMonths));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    await this.#engine.close();
  }
}
