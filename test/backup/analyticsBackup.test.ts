import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hashToken } from '../../core/services/tokens.js';
import type { AnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import type { PluginInstance } from '../../core/plugin/definition.js';
import type { BackupInstance } from '../../plugins/backup/index.js';
import type { IntakeInstance } from '../../plugins/intake/index.js';
import { bootHost, type BootedHost } from '../helpers/bootHost.js';
import { runCli } from '../helpers/runCli.js';
import { bunnyLine } from '../intake/logSenders.js';
import { removeTempDirs, tempDir } from './backupFixture.js';

const PASSPHRASE = 'the operator keeps this one';
const env = { HEARTH_BACKUP_PASSPHRASE: PASSPHRASE };
const ADMIN_TOKEN = 'hth_analytics-backup-admin';
const SITE_TOKEN = 'hth_analytics-backup-one-site';

const hostFile = `
defaults: { dataDir: ./data }
hosts:
  services:
    port: 0
    plugins:
      intake:
        listeners: [{ protocol: tcp, port: 0, host: 127.0.0.1 }]
        batch: { maxDelayMs: 100 }
      backup:
        target: { dir: ./backups }
sites:
  example.com: {}
tokens:
  ops: { hash: "${hashToken(ADMIN_TOKEN)}", sites: ["*"], scopes: [admin] }
  site: { hash: "${hashToken(SITE_TOKEN)}", sites: [example.com], scopes: [admin] }
`;

let dir: string;
beforeAll(async () => {
  process.env.HEARTH_BACKUP_PASSPHRASE = PASSPHRASE;
  dir = await tempDir('hearth-analytics-backup-');
});
afterAll(async () => {
  delete process.env.HEARTH_BACKUP_PASSPHRASE;
  await removeTempDirs();
});

async function boot(): Promise<{ host: BootedHost; store: AnalyticsStore; intake: IntakeInstance }> {
  const host = await bootHost(hostFile, { dir });
  const intake = host.host.instance<IntakeInstance & PluginInstance>('intake')!;
  return { host, intake, store: host.host.container.resolve('analytics') as AnalyticsStore };
}

async function storeLines(intake: IntakeInstance, store: AnalyticsStore, from: number, count: number): Promise<void> {
  const before = await store.count();
  const lines = Array.from({ length: count }, (_, index) => bunnyLine(from + index));
  expect((await intake.ingest.submitLines(lines, { format: 'bunny' })).accepted).toBe(count);
  await expect.poll(() => store.count(), { timeout: 10_000 }).toBe(before + count);
}

describe('the embedded analytics database in backups', () => {
  it('is in the running host’s own backups, consistent while records keep arriving, and comes back with one restore', async () => {
    const { host, intake, store } = await boot();
    await storeLines(intake, store, 0, 300);
    // Records keep arriving while the host backs itself up: the copy is taken between two writes.
    const arriving = storeLines(intake, store, 300, 200);
    const outcome = await host.host.instance<BackupInstance>('backup')!.runNow();
    await arriving;
    const intakeSource = outcome.snapshot.snapshot.sources.find((source) => source.name === 'intake');
    expect(intakeSource?.dump, 'the snapshot holds the dump of the analytics database').toBeDefined();

    // Another process cannot copy the file the host holds, so the command asks the running host,
    // with a token that may (the answer says which one it needs).
    const refused = await runCli(['backup', 'run', 'services', '-f', join(dir, 'hosts.yaml')], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("needs a token with sites ['*'] and the 'admin' scope");
    expect(refused.stderr).toContain('HEARTH_ERR_HTTP_UNAUTHORIZED');
    const forbidden = await runCli(['backup', 'run', 'services', '-f', join(dir, 'hosts.yaml')], { env: { ...env, HEARTH_TOKEN: SITE_TOKEN } });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('HEARTH_ERR_HTTP_FORBIDDEN');
    const asked = await runCli(['backup', 'run', 'services', '-f', join(dir, 'hosts.yaml')], { env: { ...env, HEARTH_TOKEN: ADMIN_TOKEN } });
    expect(asked.stderr).toBe('');
    expect(asked.stdout).toMatch(/^snapshot [0-9a-f]{8} of services \(production\): .* \(taken by the running host\)$/m);
    const listed = await runCli(['backup', 'list', 'services', '-f', join(dir, 'hosts.yaml'), '--json'], { env });
    const snapshots = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { sources: { name: string; dump?: string }[] });
    expect(snapshots).toHaveLength(2);
    expect(snapshots[0]!.sources.find((source) => source.name === 'intake')?.dump).toBeDefined();
    await host.stop();

    // The database is lost; the latest snapshot brings back every row it held.
    const database = join(dir, 'data/production/services/analytics.duckdb');
    await rm(database);
    await rm(`${database}.wal`, { force: true });
    const restore = await runCli(['restore', 'services', '-f', join(dir, 'hosts.yaml')], { env });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    // The restored database is counted in what the restore reports for intake.
    const [, count, size, unit] = /plugin intake: (\d+) files, ([\d.]+) (B|KiB|MiB)/.exec(restore.stdout)!;
    expect(Number(count)).toBeGreaterThanOrEqual(1);
    expect(Number(size) * 1024 ** ['B', 'KiB', 'MiB'].indexOf(unit!)).toBeGreaterThanOrEqual((await stat(database)).size * 0.9);
    const again = await boot();
    const restored = await again.store.count();
    expect(restored).toBeGreaterThanOrEqual(300);
    expect(restored).toBeLessThanOrEqual(500);
    await again.host.stop();

    // With the host stopped, the command line backs it up too.
    const offline = await runCli(['backup', 'run', 'services', '-f', join(dir, 'hosts.yaml')], { env });
    expect(offline.stderr).toBe('');
    expect(offline.code).toBe(0);
  });
});
