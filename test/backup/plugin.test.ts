import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { ManualScheduler } from '../../core/services/scheduler.js';
import { openOffline } from '../../core/cli/offline.js';
import { loadHostFile } from '../../core/config/loadHostFile.js';
import type { HearthConfig } from '../../core/config/types.js';
import { bootHost, type BootedHost } from '../helpers/bootHost.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { backupAlertRulesYaml, type BackupInstance } from '../../plugins/backup/index.js';
import { offlineEnvironment } from '../../plugins/backup/runtime/commands.js';
import { openRepository } from '../../plugins/backup/runtime/backupJob.js';
import { restoreSnapshot, type RestoreRequest } from '../../plugins/backup/runtime/restoreSnapshot.js';
import type { NotebookInstance } from './plugins/notebook/index.js';
import { describeTree, directoryTarget, removeTempDirs, tempDir } from './backupFixture.js';
import { Repository } from '../../plugins/backup/repository/repository.js';

const notebook = fileURLToPath(new URL('./plugins/notebook/', import.meta.url));
const PASSPHRASE = 'correct horse battery staple';
const booted: BootedHost[] = [];

beforeAll(() => {
  process.env.HEARTH_BACKUP_PASSPHRASE = PASSPHRASE;
});
afterEach(async () => {
  await Promise.all(booted.splice(0).map((h) => h.dispose()));
});
afterAll(async () => {
  delete process.env.HEARTH_BACKUP_PASSPHRASE;
  await removeTempDirs();
});

function hostFile(repoDir: string, extra = ''): string {
  const plugins = `
      ${notebook}: {}
      backup:
        target: { dir: ${repoDir} }
        retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }
        lock: { waitMs: 0 }${extra}`;
  return `
defaults:
  dataDir: ./data
  log: { level: info }
hosts:
  services:
    port: 0
    plugins:${plugins}
  spare:
    port: 0
    plugins:${plugins}
stages:
  staging: { portOffset: 1000 }
`;
}

async function boot(yaml: string, options: Parameters<typeof bootHost>[1] = {}): Promise<BootedHost> {
  const h = await bootHost(yaml, options);
  booted.push(h);
  return h;
}

async function writeNotes(h: BootedHost): Promise<string> {
  const dir = h.host.instance<NotebookInstance>('notebook')!.dataDir;
  await writeFile(join(dir, 'notes/shopping.md'), '- bread\n- tea\n');
  await mkdir(join(dir, 'notes/2024'), { recursive: true });
  await writeFile(join(dir, 'notes/2024/march.md'), 'backups work\n');
  await writeFile(join(dir, 'db.json'), JSON.stringify({ visits: 42 }));
  await writeFile(join(dir, 'cache.tmp'), 'not state: not backed up');
  return dir;
}

/** Restores as `hearth restore HOST ...` does, in this process. */
async function restoreOffline(config: HearthConfig, hostName: string, request: RestoreRequest) {
  const offline = openOffline(config, hostName);
  try {
    const environment = offlineEnvironment(offline, hostName, request.fromHost);
    const repo = await openRepository(environment, { create: false });
    try {
      return await restoreSnapshot(repo, environment, offline.config, request);
    } finally {
      await repo.target.close();
    }
  } finally {
    await offline.close();
  }
}

describe('the backup plugin in a host', () => {
  it('schedules backups twice a day, runs them, and serves metrics that pass promtool', async () => {
    const scheduler = new ManualScheduler();
    const h = await boot(hostFile(await tempDir()), { host: 'services', scheduler });
    expect(scheduler.jobs.get('backup')?.expression).toBe('0 3,15 * * *');
    await writeNotes(h);
    await scheduler.run('backup');

    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    // Two notes and the database dump.
    expect(metrics).toMatch(/^hearth_backup_files 3$/m);
    expect(metrics).toMatch(/^hearth_backup_failures_total 0$/m);
    expect(Number(/^hearth_backup_last_success_timestamp_seconds (\S+)$/m.exec(metrics)![1])).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(Number(/^hearth_backup_added_bytes_total (\S+)$/m.exec(metrics)![1])).toBeGreaterThan(0);
    expect(Number(/^hearth_backup_repository_bytes (\S+)$/m.exec(metrics)![1])).toBeGreaterThan(0);
    const promtool = await promtoolCheckMetrics(metrics);
    expect(promtool).toEqual({ code: 0, output: '' });
    expect(h.logs.join('\n')).not.toContain(PASSPHRASE);
  });

  it('ships alert rules that promtool accepts', async () => {
    const file = join(await tempDir(), 'backup.rules.yml');
    await writeFile(file, backupAlertRulesYaml);
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('promtool', ['check', 'rules', file]);
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(result.output).toContain('SUCCESS: 2 rules found');
    expect(result.code).toBe(0);
  });

  it('refuses an in-place restore while the host runs, and after it stops brings the state back, keeping the old one aside', async () => {
    const h = await boot(hostFile(await tempDir()), { host: 'services' });
    const dir = await writeNotes(h);
    const expected = await describeTree(join(dir, 'notes'));
    await h.host.instance<BackupInstance>('backup')!.runNow();

    await expect(restoreOffline(h.config, 'services', { snapshot: 'latest' })).rejects.toMatchObject({ code: 'HEARTH_ERR_BACKUP_HOST_RUNNING' });
    await h.stop();
    await writeFile(join(dir, 'notes/shopping.md'), 'overwritten by mistake\n');
    await writeFile(join(dir, 'db.json'), '{"visits":0}');

    const outcome = await restoreOffline(h.config, 'services', { snapshot: 'latest' });
    expect(await describeTree(join(dir, 'notes'))).toEqual(expected);
    expect(JSON.parse(await readFile(join(dir, 'db.json'), 'utf8'))).toEqual({ visits: 42 });
    const previous = outcome.restored[0]!.previous!;
    expect(await readFile(join(previous, 'notes/shopping.md'), 'utf8')).toBe('overwritten by mistake\n');
  });

  it('a host restore that meets damaged data changes nothing live', async () => {
    const repoDir = await tempDir();
    const extra = await tempDir();
    await writeFile(join(extra, 'uploads.bin'), randomBytes(300 * 1024));
    const h = await boot(hostFile(repoDir, `\n        paths: [{ name: extra, path: ${extra} }]`), { host: 'services' });
    const dir = await writeNotes(h);
    const { snapshot } = (await h.host.instance<BackupInstance>('backup')!.runNow()).snapshot;
    await h.stop();
    await writeFile(join(dir, 'notes/shopping.md'), 'edited after the backup\n');

    // Damage the data of the last source (restored last), so the plugin before it is already prepared.
    const repo = await Repository.open(directoryTarget(repoDir), PASSPHRASE);
    const { index } = await repo.loadIndex();
    const chunk = (await repo.loadTree(index, snapshot.sources.find((s) => s.name === 'extra')!.tree)).find((n) => n.type === 'file')!.chunks![0]!;
    const location = index.get(chunk)!;
    const packFile = (await readdir(repoDir, { recursive: true })).find((f) => f.endsWith(location.pack))!;
    const bytes = await readFile(join(repoDir, packFile));
    bytes[location.offset + 40]! ^= 0xff;
    await writeFile(join(repoDir, packFile), bytes);

    await expect(restoreOffline(h.config, 'services', { snapshot: 'latest' })).rejects.toMatchObject({ code: 'HEARTH_ERR_BACKUP_CORRUPT_DATA' });
    expect(await readFile(join(dir, 'notes/shopping.md'), 'utf8')).toBe('edited after the backup\n');
    expect(await readdir(h.config.hosts.services!.dataDir)).not.toContain('.pre-restore');
  });

  it("restores one plugin's state onto another host", async () => {
    const repoDir = await tempDir();
    const services = await boot(hostFile(repoDir), { host: 'services' });
    const dir = await writeNotes(services);
    await services.host.instance<BackupInstance>('backup')!.runNow();
    await services.stop();

    const outcome = await restoreOffline(services.config, 'spare', { snapshot: 'latest', plugins: ['notebook'], fromHost: 'services' });
    expect(outcome.restored.map((r) => `${r.kind}:${r.name}`)).toEqual(['plugin:notebook']);
    const spareDir = join(services.config.hosts.spare!.dataDir, 'notebook');
    expect(await describeTree(join(spareDir, 'notes'))).toEqual(await describeTree(join(dir, 'notes')));
    expect(await readFile(join(spareDir, 'db.json'), 'utf8')).toBe(JSON.stringify({ visits: 42 }));
    expect(await readdir(spareDir)).not.toContain('cache.tmp');

    await expect(restoreOffline(services.config, 'spare', { snapshot: 'latest', plugins: ['monitoring'], fromHost: 'services' })).rejects.toMatchObject({
      code: 'HEARTH_ERR_BACKUP_SOURCE_NOT_IN_SNAPSHOT',
    });
  });

  it("restores production's plugin state into staging (a restore drill) without touching production", async () => {
    const h = await boot(hostFile(await tempDir()), { host: 'services' });
    const dir = await writeNotes(h);
    await h.host.instance<BackupInstance>('backup')!.runNow();
    const staging = await loadHostFile({ file: join(h.dir, 'hosts.yaml'), stage: 'staging', env: process.env });
    // Production keeps running: only staging's state is replaced.
    const outcome = await restoreOffline(staging, 'services', { snapshot: 'latest', fromStage: 'production' });
    const stagingDir = join(staging.hosts.services!.dataDir, 'notebook');
    expect(outcome.restored[0]!.location).toBe(stagingDir);
    expect(stagingDir).not.toBe(dir);
    expect(await describeTree(join(stagingDir, 'notes'))).toEqual(await describeTree(join(dir, 'notes')));
    expect(await readFile(join(stagingDir, 'db.json'), 'utf8')).toBe(JSON.stringify({ visits: 42 }));
    // Staging had no state: nothing was kept aside, and the counts are of everything restored (two notes and the dump).
    expect(outcome.restored[0]).toMatchObject({ files: 3 });
    expect(outcome.restored[0]!.previous).toBeUndefined();
    expect(await readdir(staging.hosts.services!.dataDir)).toEqual(['notebook']);

    const again = await restoreOffline(staging, 'services', { snapshot: 'latest', fromStage: 'production' });
    expect(await readFile(join(again.restored[0]!.previous!, 'notes/shopping.md'), 'utf8')).toBe('- bread\n- tea\n');
    expect((await readdir(staging.hosts.services!.dataDir)).sort()).toEqual(['.pre-restore', 'notebook']);
  });

  it('restores into an empty directory with --to, and refuses a directory that is not empty', async () => {
    const h = await boot(hostFile(await tempDir()), { host: 'services' });
    const dir = await writeNotes(h);
    await h.host.instance<BackupInstance>('backup')!.runNow();
    const to = join(await tempDir(), 'inspect');
    // --to touches nothing live, so it works while the host runs.
    await restoreOffline(h.config, 'services', { snapshot: 'latest', to });
    expect(await describeTree(join(to, 'plugins/notebook/notes'))).toEqual(await describeTree(join(dir, 'notes')));
    expect(await readFile(join(to, 'dumps/notebook/db.json'), 'utf8')).toBe(JSON.stringify({ visits: 42 }));
    await expect(restoreOffline(h.config, 'services', { snapshot: 'latest', to })).rejects.toMatchObject({ code: 'HEARTH_ERR_BACKUP_RESTORE_TARGET' });
  });

  it('fails to start without a passphrase, naming the variable to set', async () => {
    delete process.env.HEARTH_BACKUP_PASSPHRASE;
    try {
      await expect(boot(hostFile(await tempDir()), { host: 'services' })).rejects.toThrow(/HEARTH_BACKUP_PASSPHRASE/);
    } finally {
      process.env.HEARTH_BACKUP_PASSPHRASE = PASSPHRASE;
    }
  });

  it('counts a failure and keeps the last success time when a run fails', async () => {
    const h = await boot(hostFile(await tempDir(), `\n        commands: [{ name: pg, run: "exit 7" }]`), { host: 'services' });
    await writeNotes(h);
    const backup = h.host.instance<BackupInstance>('backup')!;
    const before = (await backup.metrics.lastSuccess.get()).values[0]!.value;
    await expect(backup.runNow()).rejects.toMatchObject({ code: 'HEARTH_ERR_BACKUP_COMMAND_FAILED' });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/^hearth_backup_failures_total 1$/m);
    expect((await backup.metrics.lastSuccess.get()).values[0]!.value).toBe(before);
    expect(h.logs.join('\n')).toContain('HEARTH_ERR_BACKUP_COMMAND_FAILED');
  });
});


