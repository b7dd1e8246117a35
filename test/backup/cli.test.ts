import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/runCli.js';
import { describeTree, removeTempDirs, tempDir } from './backupFixture.js';

afterAll(removeTempDirs);

const env = { HEARTH_BACKUP_PASSPHRASE: 'a passphrase only the operator knows' };

/** A host file with a configured path and a command, sharing one repository between stages. */
async function setup(): Promise<{ dir: string; file: string; etc: string }> {
  const dir = await tempDir('hearth-backup-cli-');
  const etc = join(dir, 'etc');
  await mkdir(join(etc, 'sites'), { recursive: true });
  await writeFile(join(etc, 'sites/example.conf'), 'server_name example.com;\n');
  await writeFile(join(etc, 'main.conf'), 'workers 2;\n');
  const file = join(dir, 'hosts.yaml');
  await writeFile(
    file,
    `
defaults: { dataDir: ./data }
hosts:
  services:
    port: 0
    plugins:
      backup:
        target: { dir: ./backups }
        paths: [{ name: etc, path: ${etc} }]
        commands: [{ name: db.sql, run: "printf 'CREATE TABLE visits;\\\\n'" }]
stages:
  staging: { portOffset: 1000 }
`,
  );
  return { dir, file, etc };
}

describe('hearth backup and hearth restore', () => {
  it('back up, list (refusing a wrong passphrase), check, and restore a host in place, keeping the previous state aside', async () => {
    const { file, etc } = await setup();
    const before = await describeTree(etc);
    const run = await runCli(['backup', 'run', 'services', '-f', file], { env });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^snapshot [0-9a-f]{8} of services \(production\): 3 files/);

    const list = await runCli(['backup', 'list', 'services', '-f', file], { env });
    expect(list.stdout).toMatch(/services@production {2}3 files .* path:etc,command:db\.sql/);
    const wrong = await runCli(['backup', 'list', 'services', '-f', file], { env: { HEARTH_BACKUP_PASSPHRASE: 'guess' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the passphrase opens none of the 1 key file(s)');
    expect(wrong.stderr).toContain('HEARTH_ERR_BACKUP_WRONG_PASSPHRASE');
    expect(wrong.stderr + wrong.stdout).not.toContain('guess');
    const check = await runCli(['backup', 'check', 'services', '-f', file, '--read-data'], { env });
    expect(check.stdout).toContain(': 0 error(s)');
    expect(check.code).toBe(0);

    await writeFile(join(etc, 'main.conf'), 'broken by a bad edit\n');
    const restore = await runCli(['restore', 'services', '-f', file], { env });
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/path etc: 2 files, .* -> .*etc \(previous state kept in .*etc\.pre-restore-\d{8}T\d{6}Z\)/);
    expect(await describeTree(etc)).toEqual(before);
    const dump = /command db\.sql: 1 files, .* -> (\S+)/.exec(restore.stdout)![1]!;
    expect(await readFile(dump, 'utf8')).toBe('CREATE TABLE visits;\n');
  });

  it("restores production's latest snapshot into staging in one command (a restore drill)", async () => {
    const { dir, file } = await setup();
    expect((await runCli(['backup', 'run', 'services', '-f', file], { env })).code).toBe(0);
    const drill = join(dir, 'drill');
    const restore = await runCli(['restore', 'services', '-f', file, '--stage', 'staging', '--from-stage', 'production', '--to', drill], { env });
    expect(restore.stderr).toBe('');
    expect(restore.stdout).toContain('of services (production');
    expect((await readdir(drill)).sort()).toEqual(['commands', 'paths']);
    expect(await readFile(join(drill, 'paths/etc/sites/example.conf'), 'utf8')).toBe('server_name example.com;\n');

    const none = await runCli(['restore', 'services', '-f', file, '--stage', 'staging', '--to', join(dir, 'none')], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no snapshot of host 'services' in stage 'staging' (the repository has snapshots of: services@production; use --from-host / --from-stage)");
  });
});
