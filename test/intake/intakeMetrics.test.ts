/**
 * The intake's metrics, as a Prometheus server scrapes them, pass `promtool check metrics` with no
 * warnings, and say what happened: lines received, parsed, dropped by reason, stored.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeDir, startIntake, type IntakeUnderTest } from './intakeHarness.js';
import { bunnyLine, sampleValue, sendTcp, waitFor } from './logSenders.js';

let dir: string;
let intake: IntakeUnderTest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-metrics-'));
  intake = await startIntake({ analytics: { engine: 'duckdb', duckdbFile: join(dir, 'a.duckdb'), retentionMonths: 13 }, dataDir: join(dir, 'intake'), config: { batch: { maxDelayMs: 50 } } });
});
afterAll(async () => {
  await intake?.stop();
  await intake?.store.close();
  await removeDir(dir);
});

function promtool(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.end(text);
  });
}

it('counts received, parsed, dropped and stored lines, and passes promtool without a warning', async () => {
  await sendTcp(intake.tcpPort(), [bunnyLine(1), bunnyLine(2), 'not a line', bunnyLine(3, { host: 'nowhere.test' })].join('\n') + '\n');
  await waitFor('two rows stored and their batch gone from the spool', async () => {
    const text = await intake.registry.metrics();
    return sampleValue(text, 'hearth_intake_records_inserted_total') === 2 && sampleValue(text, 'hearth_intake_queue_records') === 0;
  });
  const text = await intake.registry.metrics();
  expect(sampleValue(text, 'hearth_intake_lines_received_total{listener="tcp"}')).toBe(4);
  expect(sampleValue(text, 'hearth_intake_records_parsed_total{family="bunny"}')).toBe(3);
  expect(sampleValue(text, 'hearth_intake_records_dropped_total{reason="unknown_format"}')).toBe(1);
  expect(sampleValue(text, 'hearth_intake_records_dropped_total{reason="unknown_site"}')).toBe(1);
  expect(sampleValue(text, 'hearth_intake_records_accepted_total')).toBe(2);
  expect(sampleValue(text, 'hearth_intake_batch_rows_count')).toBeGreaterThan(0);
  expect(text).toContain('hearth_intake_insert_duration_seconds_bucket');
  expect(text).toContain('hearth_intake_spool_bytes 0');
  expect(text).toContain('hearth_intake_queue_records 0');
  const checked = await promtool(text);
  expect(checked).toEqual({ code: 0, output: '' });
});
