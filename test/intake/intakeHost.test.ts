/**
 * The intake plugin in a real host booted from a host file: Bunny forwarding over TCP, a log
 * shipper over HTTP, the host's own /metrics, and a restart of the host with lines still in its
 * spool — on ClickHouse as configured in YAML, and on the default DuckDB file.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import { hashToken } from '../../core/services/tokens.js';
import type { IntakeInstance } from '../../plugins/intake/index.js';
import { uniqueDatabase } from '../analytics/clickhouseForSuite.js';
import { bootHost, type BootedHost } from '../helpers/bootHost.js';
import { removeDir } from './intakeHarness.js';
import { bunnyLine, octetCounted, rfc5424, sampleValue, sendTcp, waitFor } from './logSenders.js';

const SHIPPER_TOKEN = 'hth_test-intake-shipper';
let dir: string;
const booted: BootedHost[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-intake-host-'));
});
afterAll(async () => {
  for (const host of booted) await host.stop();
  await removeDir(dir);
});

function hostFile(analytics: string): string {
  return `
hosts:
  services:
    port: 0
${analytics}
    plugins:
      intake:
        listeners:
          - { protocol: tcp, port: 0, host: 127.0.0.1 }
          - { protocol: udp, port: 0, host: 127.0.0.1 }
        batch: { maxDelayMs: 100 }
        retry: { initialDelayMs: 50, maxDelayMs: 200 }
        stopFlushMs: 500
sites:
  example.com:
    aliases: [example.b-cdn.net]
  blog.example.org:
    intake:
      bunnyPullZones: [777]
tokens:
  shipper:
    hash: "${hashToken(SHIPPER_TOKEN)}"
    sites: ["*"]
    scopes: [ingest]
`;
}

function clickhouseSection(database: string, url = inject('clickhouse').url): string {
  return `    analytics:\n      engine: clickhouse\n      clickhouse: { url: "${url}", database: ${database}, user: default }`;
}

async function boot(yaml: string, hostDir: string): Promise<{ host: BootedHost; intake: IntakeInstance; store: AnalyticsStore }> {
  await mkdir(hostDir, { recursive: true });
  const host = await bootHost(yaml, { dir: hostDir });
  booted.push(host);
  const intake = host.host.instance<IntakeInstance & import('../../core/plugin/definition.js').PluginInstance>('intake');
  if (!intake) throw new Error('the host runs no intake plugin');
  return { host, intake, store: host.host.container.resolve('analytics') as AnalyticsStore };
}

function portOf(intake: IntakeInstance, protocol: 'tcp' | 'udp'): number {
  const listener = intake.listeners.find((candidate) => candidate.protocol === protocol);
  if (!listener) throw new Error(`no ${protocol} listener`);
  return listener.port;
}

function promtool(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics']);
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.end(text);
  });
}

describe('a host running intake', () => {
  it('stores forwarded Bunny lines and an HTTP upload in the ClickHouse the host file names', async () => {
    const { host, intake, store } = await boot(hostFile(clickhouseSection(uniqueDatabase('host'))), join(dir, 'clickhouse'));
    const lines = Array.from({ length: 50 }, (_, index) => octetCounted(rfc5424(bunnyLine(index, { host: 'example.b-cdn.net' }))));
    await sendTcp(portOf(intake, 'tcp'), lines.join(''));
    const upload = await fetch(`${host.url}/intake/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SHIPPER_TOKEN}`, 'content-type': 'text/plain' },
      body: [bunnyLine(900).replace('|390|', '|777|').replace('https://example.com', 'https://zone777.b-cdn.net')].join('\n'),
    });
    expect(upload.status).toBe(202);
    await waitFor('51 rows stored', async () => sampleValue(await (await fetch(`${host.url}/metrics`)).text(), 'hearth_intake_records_inserted_total') === 51);
    expect(await store.count('example.com')).toBe(50);
    expect(await store.count('blog.example.org')).toBe(1);
    const metrics = await (await fetch(`${host.url}/metrics`)).text();
    expect(await promtool(metrics)).toEqual({ code: 0, output: '' });
  });

  it('keeps the lines in its spool across a restart while the store is down, then stores each once', async () => {
    const database = uniqueDatabase('hostrestart');
    const hostDir = join(dir, 'restart');
    const down = await boot(hostFile(clickhouseSection(database, 'http://127.0.0.1:9')), hostDir);
    await sendTcp(portOf(down.intake, 'tcp'), Array.from({ length: 500 }, (_, index) => `${bunnyLine(10_000 + index)}\n`).join(''));
    await waitFor('500 accepted', async () => sampleValue(await (await fetch(`${down.host.url}/metrics`)).text(), 'hearth_intake_records_accepted_total') === 500);
    await down.host.stop();

    const up = await boot(hostFile(clickhouseSection(database)), hostDir);
    await waitFor('the spool to be stored', async () => (await up.store.count('example.com').catch(() => 0)) >= 500);
    await waitFor('the spool to be empty', async () => sampleValue(await (await fetch(`${up.host.url}/metrics`)).text(), 'hearth_intake_spool_bytes') === 0);
    expect(await up.store.count('example.com')).toBe(500);
    const urls = await up.store.aggregate({ site: 'example.com', from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000), metrics: ['requests'], groupBy: ['url'], limit: 1000 });
    expect(urls).toHaveLength(500);
    expect(urls.every((row) => row.requests === 1)).toBe(true);
  });

  it('stores in the embedded DuckDB file when the host file names no analytics engine', async () => {
    const { intake, store } = await boot(hostFile(''), join(dir, 'duckdb'));
    expect(store.engine).toBe('duckdb');
    await intake.ingest.submit([{ site: 'example.com', source: 'edge', ts: Date.now(), status: 200, url: '/from-edge', bytes: 10, ip: '192.0.2.1', userAgent: 'curl/8.5.0' }]);
    await waitFor('the record', async () => (await store.count('example.com')) === 1);
  });
});
