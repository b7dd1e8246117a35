/**
 * Hostile and broken input — fuzzed, truncated, binary, a megabyte long, wrong field counts, bad
 * numbers, unknown sites, future times, framing lies — never crashes a parser or a listener; each
 * line is counted by why it was dropped, and good lines sent afterwards still land.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_FORMATS } from '../../plugins/intake/parsers/logFormat.js';
import { parseLogLine } from '../../plugins/intake/parsers/logFormat.js';
import { syslogMessage } from '../../plugins/intake/syslog/syslogMessage.js';
import { TcpFramer } from '../../plugins/intake/syslog/tcpFraming.js';
import { removeDir, startIntake, type IntakeUnderTest } from './intakeHarness.js';
import { hostileLines, hostileTcpBytes } from './fuzzCorpus.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { bunnyLine, sampleValue, sendTcp, sendUdp, waitFor } from './logSenders.js';

describe('parsers under fuzzing', () => {
  it('return a request with finite numbers or a drop reason for every hostile line, in every format', () => {
    const lines = hostileLines(3000);
    for (const format of LOG_FORMATS) {
      for (const line of lines) {
        const result = parseLogLine(syslogMessage(line), format);
        if (typeof result === 'string') continue;
        expect(Number.isFinite(result.status) && Number.isFinite(result.ts) && Number.isFinite(result.bytes), line.slice(0, 80)).toBe(true);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the TCP framer survives any chunking of noise and never hands out a frame over the limit', () => {
    const random = seededRandom(99);
    // The hostile bytes go last: their first frame claims 999,999,999 bytes and swallows the rest.
    const stream = Buffer.concat([Buffer.from(`${hostileLines(300).join('\n')}\n`), hostileTcpBytes()]);
    const limit = 2048;
    let longest = 0;
    let count = 0;
    let oversize = 0;
    const framer = new TcpFramer(limit, {
      frame: (_data, start, end) => {
        count++;
        longest = Math.max(longest, end - start);
      },
      oversize: () => void oversize++,
    });
    for (let at = 0; at < stream.length; ) {
      const size = 1 + Math.floor(random() * 700);
      framer.push(stream.subarray(at, at + size));
      at += size;
    }
    framer.end();
    expect(count).toBeGreaterThan(100);
    expect(longest).toBeLessThanOrEqual(limit);
    expect(oversize).toBeGreaterThanOrEqual(2);
  });
});

describe('listeners under hostile input', () => {
  let dir: string;
  let intake: IntakeUnderTest;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-hostile-'));
    intake = await startIntake({ analytics: { engine: 'duckdb', duckdbFile: join(dir, 'a.duckdb'), retentionMonths: 13 }, dataDir: join(dir, 'intake'), config: { batch: { maxDelayMs: 50 } } });
  });
  afterAll(async () => {
    await intake?.stop();
    await intake?.store.close();
    await removeDir(dir);
  });

  it('counts every hostile line by reason over TCP, UDP and HTTP, and still stores the good line that follows', async () => {
    const lines = hostileLines(1500);
    await sendTcp(intake.tcpPort(), Buffer.concat([hostileTcpBytes(), Buffer.from(lines.join('\n') + '\n')]));
    await sendUdp(intake.udpPort(), lines.map((line) => Buffer.from(line).subarray(0, 60_000)));
    const upload = await fetch(`${intake.url}/intake/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${intake.token}` }, body: lines.filter((line) => line.length < 100_000).join('\n') });
    expect(upload.status).toBe(202);
    const oversized = await fetch(`${intake.url}/intake/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${intake.token}` }, body: 'x'.repeat(17 * 1024 * 1024) });
    expect(oversized.status).toBe(413);

    await sendTcp(intake.tcpPort(), `${bunnyLine(424_242)}\n`);
    await waitFor('the good line', async () => {
      const [row] = await intake.store.aggregate({ site: 'example.com', from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000), metrics: ['requests'], filters: [{ dimension: 'url', op: 'eq', value: '/posts/424242?n=424242' }] });
      return row?.requests === 1;
    });
    const metrics = await intake.registry.metrics();
    for (const reason of ['malformed', 'bad_number', 'unknown_site', 'in_future', 'too_old', 'too_long', 'unknown_format', 'bad_status']) {
      expect(sampleValue(metrics, `hearth_intake_records_dropped_total{reason="${reason}"}`), reason).toBeGreaterThan(0);
    }
    // UDP is best effort even on loopback: most datagrams, not all, must have arrived.
    expect(sampleValue(metrics, 'hearth_intake_lines_received_total{listener="udp"}')).toBeGreaterThan(750);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
