import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalyticsConfig } from '../../core/config/types.js';
import { createAnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import { copyDuckDBFile, placeDuckDBFile } from '../../core/services/analytics/duckdbCopy.js';
import { accessRecord } from './accessRecords.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function storeIn(file: string) {
  const config: AnalyticsConfig = { engine: 'duckdb', duckdbFile: file, retentionMonths: 13 };
  return createAnalyticsStore(config, { logger: pino({ level: 'silent' }) });
}

describe('copies of the embedded analytics database', () => {
  it('hold every stored row, whether the store is open in this process, closed, or opening during the copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-duckdb-copy-'));
    dirs.push(dir);
    const file = join(dir, 'analytics.duckdb');
    expect(await copyDuckDBFile(file, join(dir, 'none.duckdb'))).toBe(false);

    const store = await storeIn(file);
    await store.insert(Array.from({ length: 50 }, (_, row) => accessRecord({ requestId: `r-${row}` })));
    // Held by the open store: copied through it, between two writes.
    const writing = store.insert(Array.from({ length: 25 }, (_, row) => accessRecord({ requestId: `w-${row}` })));
    expect(await copyDuckDBFile(file, join(dir, 'held.duckdb'))).toBe(true);
    await writing;
    await store.close();

    // Not held: the copy opens the file; a store opening meanwhile waits for it instead of opening it twice.
    const again = await storeIn(file);
    const [copied] = await Promise.all([copyDuckDBFile(file, join(dir, 'unheld.duckdb')), again.open()]);
    expect(copied).toBe(true);
    expect(await again.count()).toBe(75);
    await again.close();

    for (const copy of ['held.duckdb', 'unheld.duckdb']) {
      const restoredFile = join(dir, `restored-${copy}`);
      await placeDuckDBFile(join(dir, copy), restoredFile);
      const restored = await storeIn(restoredFile);
      const rows = await restored.count();
      expect(copy === 'unheld.duckdb' ? rows === 75 : rows === 50 || rows === 75, `${copy}: ${rows} rows`).toBe(true);
      await restored.close();
    }
  });
});
