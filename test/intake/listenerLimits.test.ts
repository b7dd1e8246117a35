/**
 * The limits the listeners hold senders to, met exactly and overstepped: a line of exactly
 * `maxLineBytes` (however it ends, whichever way it came), a datagram of many lines.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startIntake, type IntakeUnderTest } from './intakeHarness.js';
import { bunnyLine, bunnyLineOfBytes, sampleValue, sendTcp, sendUdp, waitFor } from './logSenders.js';

const MAX_LINE_BYTES = 1024;
const RANGE = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };

let dir: string;
let intake: IntakeUnderTest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-limits-'));
  intake = await startIntake({
    analytics: { engine: 'duckdb', duckdbFile: join(dir, 'analytics.duckdb'), retentionMonths: 13 },
    dataDir: join(dir, 'intake'),
    config: { maxLineBytes: MAX_LINE_BYTES, batch: { maxDelayMs: 50 } },
  });
});
afterAll(async () => {
  await intake?.stop();
  await intake?.store.close();
  await removeDir(dir);
});

async function metric(sample: string): Promise<number> {
  return sampleValue(await intake.registry.metrics(), sample);
}

/** The number of the request each stored URL of example.com belongs to. */
async function storedRequests(): Promise<Set<number>> {
  const rows = await intake.store.aggregate({ site: 'example.com', ...RANGE, metrics: ['requests'], groupBy: ['url'], limit: 10_000 });
  return new Set(rows.map((row) => Number(/[?&]n=(\d+)/.exec(String(row.url))?.[1])));
}

const TOO_LONG = 'hearth_intake_records_dropped_total{reason="too_long"}';

describe('maxLineBytes over TCP', () => {
  it('takes a line of exactly the limit ended by CR LF, and skips one a byte longer', async () => {
    const tooLong = await metric(TOO_LONG);
    await sendTcp(intake.tcpPort(), `${bunnyLineOfBytes(100, MAX_LINE_BYTES)}\r\n${bunnyLineOfBytes(101, MAX_LINE_BYTES + 1)}\r\n${bunnyLine(102)}\r\n`);
    await waitFor('the lines around the long one', async () => (await storedRequests()).has(102));
    expect((await storedRequests()).has(100)).toBe(true);
    expect((await storedRequests()).has(101)).toBe(false);
    expect(await metric(TOO_LONG)).toBe(tooLong + 1);
  });
});
