import { afterAll, describe, expect, it } from 'vitest';
import { appendFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Repository } from '../../plugins/backup/repository/repository.js';
import { runBackup } from '../../plugins/backup/repository/backupRun.js';
import { restoreTree } from '../../plugins/backup/repository/restoreTree.js';
import { checkRepository } from '../../plugins/backup/repository/check.js';
import type { BackupSource } from '../../plugins/backup/sources/backupSource.js';
import type { StoredSnapshot } from '../../plugins/backup/format/snapshot.js';
import { PASSPHRASE, createRepository, describeTree, directoryTarget, removeTempDirs, runOptions, tempDir, writeSampleState } from './backupFixture.js';

afterAll(removeTempDirs);

async function restoreSource(repo: Repository, stored: StoredSnapshot, name: string, into: string): Promise<void> {
  const { index } = await repo.loadIndex();
  const source = stored.snapshot.sources.find((s) => s.name === name)!;
  await mkdir(into, { recursive: true });
  await restoreTree(repo, index, await repo.loadTree(index, source.tree), into);
}

describe('a backup to a directory target', () => {
  it('restores byte-identical files with their modes and mtimes, symlinks and empty files included', async () => {
    const state = await writeSampleState(await tempDir());
    const repoDir = await tempDir();
    const repo = await createRepository(repoDir);
    const sources: BackupSource[] = [{ kind: 'plugin', name: 'git', root: state, paths: ['.'] }];
    const stored = await runBackup(repo, sources, runOptions(await tempDir()));
    expect(stored.snapshot.summary.files).toBe(7);
    expect(stored.snapshot.summary.addedPacks).toBeGreaterThan(1);

    const restored = await tempDir();
    await restoreSource(await Repository.open(directoryTarget(repoDir), PASSPHRASE), stored, 'git', restored);
    expect(await describeTree(restored)).toEqual(await describeTree(state));
  });

  it('stores nothing readable: file names and contents never appear in the repository', async () => {
    const state = await tempDir();
    await writeFile(join(state, 'secret-plans.txt'), 'the launch date is tuesday\n'.repeat(100));
    const repoDir = await tempDir();
    await runBackup(await createRepository(repoDir), [{ kind: 'path', name: 'plans', path: state }], runOptions(await tempDir()));
    const found = await describeTree(repoDir);
    const bytes = await Promise.all(Object.keys(found).filter((p) => found[p]!.type === 'file').map((p) => readFile(join(repoDir, p))));
    for (const content of bytes) {
      expect(content.includes('launch date')).toBe(false);
      expect(content.includes('secret-plans')).toBe(false);
    }
  });

  it('a second run after changing one file adds only that change, and both snapshots restore', async () => {
    const state = await writeSampleState(await tempDir());
    const repoDir = await tempDir();
    const repo = await createRepository(repoDir);
    const sources: BackupSource[] = [{ kind: 'plugin', name: 'git', root: state, paths: ['.'] }];
    const first = await runBackup(repo, sources, runOptions(await tempDir()));
    const before = await describeTree(state);
    await appendFile(join(state, 'notes.log'), 'GET /new-page 200\n');
    const second = await runBackup(repo, sources, runOptions(await tempDir()));
    expect(second.snapshot.parent).toBe(first.id);
    // The 3 MiB pack.bin is not stored again: only the changed log chunk and the new tree.
    expect(second.snapshot.summary.addedBytes).toBeLessThan(64 * 1024);

    const old = await tempDir();
    await restoreSource(repo, first, 'git', old);
    expect(await describeTree(old)).toEqual(before);
    const latest = await tempDir();
    await restoreSource(repo, second, 'git', latest);
    expect(await describeTree(latest)).toEqual(await describeTree(state));
  });

  it('deduplicates across hosts sharing the target', async () => {
    const payload = randomBytes(2 * 1024 * 1024);
    const [a, b] = [await tempDir(), await tempDir()];
    await writeFile(join(a, 'site.tar'), payload);
    await writeFile(join(b, 'copy-of-site.tar'), payload);
    const repo = await createRepository(await tempDir());
    const first = await runBackup(repo, [{ kind: 'path', name: 'site', path: a }], runOptions(await tempDir(), { host: 'services' }));
    const second = await runBackup(repo, [{ kind: 'path', name: 'site', path: b }], runOptions(await tempDir(), { host: 'mirror' }));
    expect(first.snapshot.summary.addedBytes).toBeGreaterThan(payload.length);
    expect(second.snapshot.summary.addedBytes).toBeLessThan(4096);
  });

  it('saves the stdout of a command, and a failing command fails the run without writing a snapshot', async () => {
    const repo = await createRepository(await tempDir());
    const ok = await runBackup(repo, [{ kind: 'command', name: 'dump.sql', command: "printf 'CREATE TABLE t;\\n'", timeoutMs: 10_000 }], runOptions(await tempDir()));
    const out = await tempDir();
    await restoreSource(repo, ok, 'dump.sql', out);
    expect(await readdir(out)).toEqual(['dump.sql']);
    expect(await readFile(join(out, 'dump.sql'), 'utf8')).toBe('CREATE TABLE t;\n');

    const failing: BackupSource[] = [{ kind: 'command', name: 'pg', command: 'echo partial; echo "connection refused" >&2; exit 3', timeoutMs: 10_000 }];
    await expect(runBackup(repo, failing, runOptions(await tempDir()))).rejects.toMatchObject({
      code: 'HEARTH_ERR_BACKUP_COMMAND_FAILED',
      message: expect.stringMatching(/exited with code 3.*connection refused/),
    });
    const slow: BackupSource[] = [{ kind: 'command', name: 'slow', command: 'sleep 30', timeoutMs: 200 }];
    await expect(runBackup(repo, slow, runOptions(await tempDir()))).rejects.toThrow(/did not finish within 200 ms/);
    expect((await repo.listSnapshots()).snapshots.map((s) => s.id)).toEqual([ok.id]);
  });

  it('refuses a wrong passphrase with a clear error, and keeps data readable after a passphrase change', async () => {
    const repoDir = await tempDir();
    const repo = await createRepository(repoDir);
    await expect(Repository.open(directoryTarget(repoDir), 'not the passphrase')).rejects.toMatchObject({
      code: 'HEARTH_ERR_BACKUP_WRONG_PASSPHRASE',
      message: expect.stringContaining('opens none of the 1 key file(s)'),
    });
    await repo.changePassphrase('a new passphrase', { n: 1024, r: 8, p: 1 });
    await expect(Repository.open(directoryTarget(repoDir), PASSPHRASE)).rejects.toMatchObject({ code: 'HEARTH_ERR_BACKUP_WRONG_PASSPHRASE' });
    const reopened = await Repository.open(directoryTarget(repoDir), 'a new passphrase');
    expect(reopened.config.id).toBe(repo.config.id);
    await expect(Repository.open(directoryTarget(await tempDir()), PASSPHRASE)).rejects.toMatchObject({ code: 'HEARTH_ERR_BACKUP_NOT_INITIALIZED' });
  });

  it('passes check, including --read-data, on a healthy repository', async () => {
    const state = await writeSampleState(await tempDir());
    const repo = await createRepository(await tempDir());
    await runBackup(repo, [{ kind: 'plugin', name: 'git', root: state, paths: ['repos', 'notes.log'] }], runOptions(await tempDir()));
    const report = await checkRepository(repo, { readData: true });
    expect(report.errors).toEqual([]);
    expect(report.packsRead).toBe(report.packs);
    expect(report.snapshots).toBe(1);
  });
});
