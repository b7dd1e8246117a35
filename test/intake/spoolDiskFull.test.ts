/**
 * The disk refuses the spool's writes now and then (the intake runs under `ulimit -f`, so a batch
 * file that reaches the limit fails with EFBIG, as a full disk fails with ENOSPC). Senders that
 * retry what was refused end with every line stored exactly once: an upload answered 202 is on
 * disk whole, one answered 503 lost nothing that its retry is then refused as a duplicate of.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouseForSuite, uniqueDatabase, type SuiteClickHouse } from '../analytics/clickhouseForSuite.js';
import { bunnyLine, waitFor } from './logSenders.js';

const CHILD = fileURLToPath(new URL('./diskLimitedIntake.ts', import.meta.url));
/** The largest file the intake process may write, in KiB: a batch file holds about a hundred rows. */
const FILE_LIMIT_KIB = 48;
const UPLOADS = 24;
const LINES_PER_UPLOAD = 50;
const SENDERS = 3;

let clickhouse: SuiteClickHouse;
let child: ChildProcess | undefined;
let childErrors = '';

beforeAll(async () => {
  clickhouse = await clickhouseForSuite();
});
afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('close', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await clickhouse?.release();
});

async function startLimitedIntake(database: string): Promise<{ url: string; token: string }> {
  // Batches seal on their delay only at the end: until then a batch file grows until the disk refuses it.
  const config = { listeners: [], batch: { maxDelayMs: 2_000 } };
  child = spawn('bash', ['-c', `ulimit -f ${FILE_LIMIT_KIB} && exec "$@"`, 'bash', process.execPath, '--import', 'tsx', CHILD, JSON.stringify({ clickhouse: { url: clickhouse.url, database, user: clickhouse.user, password: clickhouse.password }, config })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => (childErrors += chunk.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child!.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(stdout.slice(0, newline)) as { url: string; token: string });
    });
    child!.once('close', (code) => reject(new Error(`the intake process exited with ${code}: ${childErrors}`)));
  });
}

async function storedTally(database: string): Promise<{ rows: number; distinct: number }> {
  const response = await fetch(`${clickhouse.url}/?user=${encodeURIComponent(clickhouse.user)}&password=${encodeURIComponent(clickhouse.password)}`, {
    method: 'POST',
    body: `SELECT count() AS rows, uniqExact(request_id) AS distinct FROM ${database}.access FORMAT JSONEachRow`,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(text);
  const row = JSON.parse(text) as { rows: string | number; distinct: string | number };
  return { rows: Number(row.rows), distinct: Number(row.distinct) };
}

describe('a disk that refuses spool writes', () => {
  it('loses nothing a sender retries: every line stored once, every 202 whole', async () => {
    const database = uniqueDatabase('hearth_diskfull');
    const intake = await startLimitedIntake(database);
    let refused = 0;
    let accepted = 0;
    let duplicates = 0;
    const upload = async (number: number): Promise<void> => {
      const body = Array.from({ length: LINES_PER_UPLOAD }, (_, line) => bunnyLine(number * LINES_PER_UPLOAD + line)).join('\n');
      for (let attempt = 0; attempt < 100; attempt++) {
        const response = await fetch(`${intake.url}/intake/v1/logs?format=bunny`, { method: 'POST', headers: { authorization: `Bearer ${intake.token}` }, body });
        const answer = (await response.json()) as { accepted?: number; dropped?: { duplicate?: number }; error?: { code: string } };
        if (response.status === 202) {
          accepted += answer.accepted!;
          duplicates += answer.dropped?.duplicate ?? 0;
          return;
        }
        expect(response.status, JSON.stringify(answer)).toBe(503);
        expect(answer.error?.code).toBe('HEARTH_ERR_INTAKE_SPOOL');
        refused++;
      }
      throw new Error(`upload ${number} was refused 100 times`);
    };
    let next = 0;
    await Promise.all(Array.from({ length: SENDERS }, async () => {
      while (next < UPLOADS) await upload(next++);
    }));

    const total = UPLOADS * LINES_PER_UPLOAD;
    // The disk did refuse writes, so the retries were exercised.
    expect(refused).toBeGreaterThan(0);
    // What a refused upload had on disk already counts as a duplicate when it is sent again.
    expect(accepted).toBe(total - duplicates);
    // The store creates its database with the first batch: until then there is nothing to count.
    await waitFor(`${total} stored rows`, async () => (await storedTally(database).catch(() => ({ rows: 0 }))).rows >= total).catch((error: Error) => {
      throw new Error(`${error.message}; the intake process logged:\n${childErrors.slice(-4000)}`);
    });
    expect(await storedTally(database)).toEqual({ rows: total, distinct: total });
  });
});
