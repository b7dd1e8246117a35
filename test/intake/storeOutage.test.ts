/**
 * The analytics store goes away in the middle of a stream of logs over TCP, and comes back: every
 * line the intake accepted is stored, exactly once. And a host that stops while the store is
 * unreachable — or dies mid-write — stores what it had spooled when it starts again.
 */
import { appendFile, cp, mkdtemp, readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsConfig } from '../../core/config/types.js';
import { createAnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import { startPrivateClickHouse, type PrivateClickHouse } from '../analytics/privateClickHouse.js';
import { uniqueDatabase } from '../analytics/clickhouseForSuite.js';
import { removeDir, startIntake } from './intakeHarness.js';
import { bunnyLine, rfc5424, sampleValue, sendTcp, waitFor } from './logSenders.js';

let clickhouse: PrivateClickHouse;
let dir: string;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  clickhouse = await startPrivateClickHouse();
  dir = await mkdtemp(join(tmpdir(), 'hearth-outage-'));
});
afterAll(async () => {
  await clickhouse?.destroy();
  await removeDir(dir);
});

function clickhouseConfig(database: string, url = clickhouse.url): AnalyticsConfig {
  return { engine: 'clickhouse', duckdbFile: '', clickhouse: { url, database, user: 'default' }, retentionMonths: 13 };
}

/** Asks the server itself: rows, distinct request ids, and request ids stored more than once. */
async function storedTally(database: string): Promise<{ rows: number; distinct: number; repeated: number }> {
  const sql = `SELECT count() AS rows, uniqExact(request_id) AS distinct, (SELECT count() FROM (SELECT request_id FROM ${database}.access GROUP BY request_id HAVING count() > 1)) AS repeated FROM ${database}.access FORMAT JSONEachRow`;
  const response = await fetch(`${clickhouse.url}/?output_format_json_quote_64bit_integers=0`, { method: 'POST', body: sql });
  const row = JSON.parse(await response.text()) as { rows: number; distinct: number; repeated: number };
  return { rows: Number(row.rows), distinct: Number(row.distinct), repeated: Number(row.repeated) };
}

/**
 * Streams `lines` over `connections` TCP connections in slices, so the stream lasts a while;
 * rejects when a connection fails or the host closes it before the sender is done.
 */
async function streamLines(port: number, lines: readonly string[], connections: number, sliceLines: number): Promise<void> {
  await Promise.all(
    Array.from({ length: connections }, (_, connection) =>
      new Promise<void>((resolve, reject) => {
        const mine = lines.filter((_, index) => index % connections === connection);
        const socket = connect(port, '127.0.0.1');
        let ended = false;
        socket.on('error', reject);
        socket.on('close', () => (ended ? resolve() : reject(new Error(`connection ${connection} was closed by the host mid-stream`))));
        let at = 0;
        const writeSlice = (): void => {
          if (at >= mine.length) {
            ended = true;
            socket.end();
            return;
          }
          const slice = mine.slice(at, at + sliceLines).map((line) => `${rfc5424(line)}\n`).join('');
          at += sliceLines;
          if (socket.write(slice)) setTimeout(writeSlice, 5);
          else socket.once('drain', () => setTimeout(writeSlice, 5));
        };
        socket.on('connect', writeSlice);
      }),
    ),
  );
}

describe('a store outage during TCP load', () => {
  it('stores every accepted line exactly once after ClickHouse is killed mid-stream and restarted', async () => {
    const database = uniqueDatabase('outage');
    const intake = await startIntake({
      analytics: clickhouseConfig(database),
      dataDir: join(dir, 'outage'),
      config: { batch: { maxRows: 2000, maxDelayMs: 100 }, retry: { initialDelayMs: 50, maxDelayMs: 400 } },
    });
    const total = 40_000;
    const lines = Array.from({ length: total }, (_, index) => bunnyLine(index));
    const sending = streamLines(intake.tcpPort(), lines, 3, 250);
    const inserted = async (): Promise<number> => sampleValue(await intake.registry.metrics(), 'hearth_intake_records_inserted_total');
    await waitFor('the first batches to be stored', async () => (await inserted()) > 0);
    await clickhouse.kill();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await clickhouse.restart();
    await sending;
    await waitFor(`${total} rows`, async () => (await inserted()) >= total && (await intake.store.count()) >= total, 60_000);
    const metrics = await intake.registry.metrics();
    expect(sampleValue(metrics, 'hearth_intake_insert_failures_total')).toBeGreaterThan(0);
    expect(sampleValue(metrics, 'hearth_intake_records_accepted_total')).toBe(total);
    expect(await storedTally(database)).toEqual({ rows: total, distinct: total, repeated: 0 });
    await intake.stop();
    await intake.store.close();
  });
});

describe('backpressure', () => {
  it('holds a TCP sender back while the spool is full, and takes every line once the store is back', async () => {
    const database = uniqueDatabase('held');
    await clickhouse.kill();
    const intake = await startIntake({
      analytics: clickhouseConfig(database),
      dataDir: join(dir, 'held'),
      config: { spool: { maxBytes: 1_048_576, maxPendingBytes: 65_536 }, batch: { maxRows: 1000, maxDelayMs: 50 }, retry: { initialDelayMs: 50, maxDelayMs: 200 } },
    });
    const total = 20_000;
    let finished = false;
    const sending = sendTcp(intake.tcpPort(), Array.from({ length: total }, (_, index) => `${bunnyLine(300_000 + index)}\n`).join('')).then(() => (finished = true));
    const metric = async (sample: string): Promise<number> => sampleValue(await intake.registry.metrics(), sample);
    await waitFor('the spool to fill', async () => (await metric('hearth_intake_spool_bytes')) > 1_048_576);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Held back, not dropped: the sender is still writing and nothing was counted as lost.
    expect(finished).toBe(false);
    expect(await metric('hearth_intake_records_accepted_total')).toBeLessThan(total);
    expect(await metric('hearth_intake_spool_bytes')).toBeLessThan(3 * 1_048_576);
    expect(await metric('hearth_intake_records_dropped_total{reason="backpressure"}')).toBe(0);
    await clickhouse.restart();
    await sending;
    await waitFor(`${total} rows`, async () => (await metric('hearth_intake_records_inserted_total')) >= total, 60_000);
    expect(await storedTally(database)).toEqual({ rows: total, distinct: total, repeated: 0 });
    await intake.stop();
    await intake.store.close();
  });

  it('keeps a streaming TCP connection paused by a full spool open past the idle timeout, and takes every line', async () => {
    const database = uniqueDatabase('paused');
    await clickhouse.kill();
    const idleTimeoutMs = 1000;
    const intake = await startIntake({
      analytics: clickhouseConfig(database),
      dataDir: join(dir, 'paused'),
      config: {
        tcp: { idleTimeoutMs },
        spool: { maxBytes: 1_048_576, maxPendingBytes: 65_536 },
        batch: { maxRows: 1000, maxDelayMs: 50 },
        retry: { initialDelayMs: 50, maxDelayMs: 200 },
      },
    });
    const total = 20_000;
    const sending = streamLines(intake.tcpPort(), Array.from({ length: total }, (_, index) => bunnyLine(400_000 + index)), 2, 250);
    const outcome = sending.then(() => 'done', (error: Error) => error.message);
    const metric = async (sample: string): Promise<number> => sampleValue(await intake.registry.metrics(), sample);
    await waitFor('the spool to fill', async () => (await metric('hearth_intake_spool_bytes')) > 1_048_576);
    // Paused for three idle timeouts: the host's pause is not the sender's silence.
    await new Promise((resolve) => setTimeout(resolve, 3 * idleTimeoutMs));
    expect(await metric('hearth_intake_tcp_connections')).toBe(2);
    await clickhouse.restart();
    expect(await outcome).toBe('done');
    await waitFor(`${total} rows`, async () => (await metric('hearth_intake_records_inserted_total')) >= total, 60_000);
    expect(await storedTally(database)).toEqual({ rows: total, distinct: total, repeated: 0 });
    expect(await metric('hearth_intake_records_dropped_total{reason="backpressure"}')).toBe(0);
    await intake.stop();
    await intake.store.close();
  });
});

describe('a restart with a non-empty spool', () => {
  it('keeps what was accepted while the store was unreachable, and stores it once the host starts with a reachable store', async () => {
    const database = uniqueDatabase('restart');
    const dataDir = join(dir, 'restart');
    // Port 9 is closed on loopback: the store is unreachable for the whole first run.
    const first = await startIntake({ analytics: clickhouseConfig(database, 'http://127.0.0.1:9'), dataDir, config: { batch: { maxRows: 500, maxDelayMs: 50 }, retry: { initialDelayMs: 50, maxDelayMs: 200 }, stopFlushMs: 300 } });
    const lines = Array.from({ length: 3000 }, (_, index) => bunnyLine(100_000 + index));
    await sendTcp(first.tcpPort(), lines.map((line) => `${line}\n`).join(''));
    await waitFor('3000 lines accepted', async () => sampleValue(await first.registry.metrics(), 'hearth_intake_records_accepted_total') === 3000);
    await first.stop();
    await first.store.close();
    expect((await readdir(join(dataDir, 'spool'))).filter((name) => name.endsWith('.csv')).length).toBeGreaterThan(0);

    const second = await startIntake({ analytics: clickhouseConfig(database), dataDir, config: { batch: { maxDelayMs: 50 } } });
    await waitFor('the spool to be stored', async () => (await second.store.count().catch(() => 0)) >= 3000);
    await waitFor('the spool to be emptied', async () => sampleValue(await second.registry.metrics(), 'hearth_intake_spool_bytes') === 0);
    expect(await storedTally(database)).toEqual({ rows: 3000, distinct: 3000, repeated: 0 });
    await second.stop();
    await second.store.close();
  });

  it('after a crash, cuts off a half-written line, replays the rest and skips rows stored before the crash', async () => {
    const database = uniqueDatabase('crash');
    const downDir = join(dir, 'crash-down');
    const down = await startIntake({ analytics: clickhouseConfig(database, 'http://127.0.0.1:9'), dataDir: downDir, config: { batch: { maxRows: 1000, maxDelayMs: 60_000 }, stopFlushMs: 0 } });
    // Two full batches and a last one too small for the idle rule to seal: it stays `.open`.
    const lines = Array.from({ length: 2050 }, (_, index) => bunnyLine(200_000 + index));
    await sendTcp(down.tcpPort(), lines.map((line) => `${line}\n`).join(''));
    await waitFor('2050 lines accepted', async () => sampleValue(await down.registry.metrics(), 'hearth_intake_records_accepted_total') === 2050);
    // An empty hand-in resolves once everything accepted before it is fsynced.
    await down.instance.ingest.submit([]);
    // What a crash leaves: the spool as it is on disk right now, plus a torn last write.
    const crashedDir = join(dir, 'crash-copy');
    await cp(downDir, crashedDir, { recursive: true });
    await down.stop();
    await down.store.close();
    const spoolDir = join(crashedDir, 'spool');
    const names = (await readdir(spoolDir)).sort();
    const open = names.find((name) => name.endsWith('.open'));
    expect(open, `spool holds ${names.join(', ')}`).toBeDefined();
    await appendFile(join(spoolDir, open!), '"example.com",2024-03-04,"2024-03-04 10:00:00",200,2,"GET","/torn');
    // And a batch the store had taken just before the crash, before its file was deleted.
    const sealed = names.find((name) => name.endsWith('.csv'))!;
    const store = createAnalyticsStore(clickhouseConfig(database), { logger });
    await store.insertBatch({ id: BigInt(`0x${sealed.slice(14, 30)}`), file: join(spoolDir, sealed), rowCount: 1000, mayBePartlyStored: false });
    await store.close();

    const restarted = await startIntake({ analytics: clickhouseConfig(database), dataDir: crashedDir, config: { batch: { maxDelayMs: 50 } } });
    await waitFor('the spool to be emptied', async () => sampleValue(await restarted.registry.metrics(), 'hearth_intake_spool_bytes') === 0 && (await restarted.store.count().catch(() => 0)) >= 2050);
    expect(await storedTally(database)).toEqual({ rows: 2050, distinct: 2050, repeated: 0 });
    await restarted.stop();
    await restarted.store.close();
  });
});
