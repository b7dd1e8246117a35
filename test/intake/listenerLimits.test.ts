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

describe('maxLineBytes over UDP', () => {
  it('splits a datagram into its lines first and holds each line, not the datagram, to the limit', async () => {
    const tooLong = await metric(TOO_LONG);
    const received = await metric('hearth_intake_lines_received_total{listener="udp"}');
    // 40 lines of 900 bytes: 36 KB in one datagram, each line under the limit.
    const many = Array.from({ length: 40 }, (_, index) => bunnyLineOfBytes(200 + index, 900)).join('\n');
    const mixed = [bunnyLine(300), bunnyLineOfBytes(301, MAX_LINE_BYTES + 1), bunnyLineOfBytes(302, MAX_LINE_BYTES)].join('\r\n');
    await sendUdp(intake.udpPort(), [many, `${mixed}\r\n`]);
    await waitFor('the lines of both datagrams', async () => {
      const stored = await storedRequests();
      return stored.has(239) && stored.has(302);
    });
    const stored = await storedRequests();
    expect(Array.from({ length: 40 }, (_, index) => 200 + index).filter((n) => !stored.has(n))).toEqual([]);
    expect([stored.has(300), stored.has(301), stored.has(302)]).toEqual([true, false, true]);
    expect(await metric(TOO_LONG)).toBe(tooLong + 1);
    expect(await metric('hearth_intake_lines_received_total{listener="udp"}')).toBe(received + 43);
  });
});
