import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool, type SpooledBatch } from '../../plugins/intake/delivery/spool.js';
import { accessRecord } from '../analytics/accessRecords.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function openSpool(): Promise<{ spool: Spool; sealed: SpooledBatch[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-spool-'));
  dirs.push(dir);
  const sealed: SpooledBatch[] = [];
  // A batch delay far longer than the test: only the idle rule can seal here.
  const spool = new Spool({ dir, maxBatchRows: 100, maxBatchDelayMs: 60_000, logger: pino({ level: 'silent' }), onSealed: (batch) => sealed.push(batch), onLost: () => undefined, onRelief: () => undefined });
  await spool.open();
  return { spool, sealed };
}

describe('sealing spool batches', () => {
  it('stores a burst that has ended at once instead of after the batch delay', async () => {
    const { spool, sealed } = await openSpool();
    for (let row = 0; row < 20; row++) spool.append(accessRecord({ requestId: `burst-${row}` }));
    await expect.poll(() => sealed.length, { timeout: 2_000 }).toBe(1);
    expect(sealed[0]!.rowCount).toBe(20);
    await spool.close();
  });

  it('keeps a trickle waiting for the delay, so the store gets one insert per delay', async () => {
    const { spool, sealed } = await openSpool();
    for (let row = 0; row < 5; row++) spool.append(accessRecord({ requestId: `trickle-${row}` }));
    await spool.commit(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sealed).toHaveLength(0);
    await spool.close();
  });
});
