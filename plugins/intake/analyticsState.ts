/**
 * The embedded analytics database as part of the intake plugin's state, so backups hold the
 * stored access logs and a restore brings them back. The database belongs to the host's core (the
 * query plugin reads it too), but intake is what writes it: on a host whose analytics engine is
 * DuckDB, the dump is a consistent copy of the file (core/services/analytics/duckdbCopy.ts) and
 * the load puts it in place. ClickHouse keeps its data on its own server: back it up there.
 */
import { join } from 'node:path';
import type { StateOwner } from '../../core/plugin/definition.js';
import { HearthError } from '../../core/errors/HearthError.js';
import { copyDuckDBFile, placeDuckDBFile } from '../../core/services/analytics/duckdbCopy.js';
import { pathExists } from '../../core/services/pathExists.js';

/** The copy's name in the dump directory. */
const DUMP_FILE = 'analytics.duckdb';

/** Writes a copy of the host's DuckDB analytics database (nothing for ClickHouse, or before the first record). */
export async function dumpAnalytics(dir: string, owner: StateOwner): Promise<void> {
  const { analytics } = owner.host;
  if (analytics.engine !== 'duckdb') return;
  await copyDuckDBFile(analytics.duckdbFile, join(dir, DUMP_FILE));
}

/** Puts a dumped database in place of the host's (the host is stopped while a restore runs). */
export async function loadAnalytics(dir: string, owner: StateOwner): Promise<void> {
  const source = join(dir, DUMP_FILE);
  if (!(await pathExists(source))) return;
  const { analytics } = owner.host;
  if (analytics.engine !== 'duckdb') {
    throw new HearthError(
      'HEARTH_ERR_INTAKE_CONFIG',
      `the snapshot holds an embedded (DuckDB) analytics database, but this host stores analytics in ClickHouse; restore with --to DIR and load dumps/intake/${DUMP_FILE} into ClickHouse yourself, or restore onto a host on DuckDB`,
    );
  }
  await placeDuckDBFile(source, analytics.duckdbFile);
}
