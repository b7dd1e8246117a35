/**
 * The store's schema, as an ordered list of migrations applied when the store opens. The applied
 * versions are recorded in a `schema_migrations` table; a database with a version newer than this
 * code knows is refused rather than written to. New columns are added by appending a migration.
 */
import { HearthError } from '../../errors/HearthError.js';
import { ACCESS_COLUMNS, ACCESS_TABLE } from './accessRecord.js';
import type { StoreEngine } from './storeEngine.js';

/** One schema change, written for each engine. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  statements(engine: StoreEngine): readonly string[];
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    description: 'access table: site first in the sort key, then the date; monthly partitions',
    statements(engine: StoreEngine): readonly string[] {
      const table = engine.qualify(ACCESS_TABLE);
      const columns = ACCESS_COLUMNS.map((column) => `${column.name} ${engine.columnType(column)}`).join(', ');
      if (engine.engine === 'clickhouse') {
        return [
          `CREATE TABLE IF NOT EXISTS ${table} (${columns}) ENGINE = MergeTree() ` +
            'PARTITION BY toYYYYMM(date) ORDER BY (site, date, ts) SETTINGS index_granularity = 8192',
        ];
      }
      return [`CREATE TABLE IF NOT EXISTS ${table} (${columns})`];
    },
  },
]);

/** The schema version this code writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Brings the engine's schema to {@link LATEST_SCHEMA_VERSION}; returns the versions applied. */
export async function migrate(engine: StoreEngine): Promise<number[]> {
  const versions = engine.qualify('schema_migrations');
  await engine.ddl(
    engine.engine === 'clickhouse'
      ? `CREATE TABLE IF NOT EXISTS ${versions} (version UInt32, applied_at DateTime('UTC')) ENGINE = MergeTree() ORDER BY version`
      : `CREATE TABLE IF NOT EXISTS ${versions} (version UINTEGER, applied_at TIMESTAMP)`,
  );
  const [current] = await engine.rows(`SELECT max(version) AS version FROM ${versions}`);
  const applied = Number(current?.version ?? 0) || 0;
  if (applied > LATEST_SCHEMA_VERSION) {
    throw new HearthError(
      'HEARTH_ERR_ANALYTICS_SCHEMA',
      `the analytics database is at schema version ${applied}, newer than this Hearth's ${LATEST_SCHEMA_VERSION}; upgrade Hearth or point it at another database`,
    );
  }
  const done: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= applied) continue;
    for (const statement of migration.statements(engine)) await engine.ddl(statement);
    const now = engine.engine === 'clickhouse' ? 'now()' : 'current_timestamp::TIMESTAMP';
    await engine.run(`INSERT INTO ${versions} (version, applied_at) SELECT ${migration.version}, ${now}`);
    done.push(migration.version);
  }
  return done;
}
