import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../core/services/clock.js';
import { runBackup } from '../../plugins/backup/repository/backupRun.js';
import { restoreTree } from '../../plugins/backup/repository/restoreTree.js';
import { checkRepository } from '../../plugins/backup/repository/check.js';
import { forgetSnapshots } from '../../plugins/backup/repository/forget.js';
import { pruneRepository } from '../../plugins/backup/repository/prune.js';
import { acquireLock } from '../../plugins/backup/repository/lock.js';
import { PREFIX, encodeRepositoryFile } from '../../plugins/backup/repository/layout.js';
import { Packer } from '../../plugins/backup/repository/packer.js';
import { BlobType } from '../../plugins/backup/format/pack.js';
import { encodeTree } from '../../plugins/backup/format/tree.js';
import type { Repository } from '../../plugins/backup/repository/repository.js';
import { createRepository, describeTree, removeTempDirs, runOptions, silentLogger, tempDir } from './backupFixture.js';

afterAll(removeTempDirs);

const lock = { waitMs: 0, staleMs: 60_000, refreshMs: 30_000 };

/** The files under a directory target, found by walking it (the engine's layout is its own business). */
async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) if (entry.isFile()) found.push(join(entry.parentPath, entry.name));
  return found;
}

async function restoreAll(repo: Repository, snapshotId: string, into: string): Promise<void> {
  const { index } = await repo.loadIndex();
  const { snapshots } = await repo.listSnapshots();
  const stored = snapshots.find((s) => s.id === snapshotId)!;
  await mkdir(into, { recursive: true });
  await restoreTree(repo, index, await repo.loadTree(index, stored.snapshot.sources[0]!.tree), into);
}

describe('repository maintenance and damage', () => {
  it('finds a flipped byte in a pack with check --read-data, and restore refuses the damaged data', async () => {
    const state = await tempDir();
    await writeFile(join(state, 'db.bin'), randomBytes(1024 * 1024));
    const repoDir = await tempDir();
    const repo = await createRepository(repoDir);
    const stored = await runBackup(repo, [{ kind: 'path', name: 'db', path: state }], runOptions(await tempDir()));
    const { index } = await repo.loadIndex();
    const dataPack = [...index.packs()].find((p) => p.blobs.some((b) => b.type === BlobType.data))!;
    const packFile = (await filesUnder(repoDir)).find((f) => f.endsWith(dataPack.id))!;
    const bytes = await readFile(packFile);
    const dataBlob = dataPack.blobs.find((b) => b.type === BlobType.data)!;
    bytes[dataBlob.offset + 100]! ^= 0x04;
    await writeFile(packFile, bytes);

    expect((await checkRepository(repo, { readData: false })).errors).toEqual([]);
    const report = await checkRepository(repo, { readData: true });
    expect(report.errors.join('\n')).toContain(`pack ${dataPack.id.slice(0, 12)}`);

    const into = await tempDir();
    await expect(restoreAll(repo, stored.id, into)).rejects.toMatchObject({ code: 'HEARTH_ERR_BACKUP_CORRUPT_DATA' });
  });

  it('forgets by the retention policy per host, prunes the unused data, and every kept snapshot still restores', async () => {
    const clock = new ManualClock(new Date('2024-03-01T03:00:00Z'));
    const state = await tempDir();
    const repo = await createRepository(await tempDir());
    const expected = new Map<string, Awaited<ReturnType<typeof describeTree>>>();
    for (let day = 0; day < 5; day++) {
      // Each day replaces the previous day's data, so forgotten snapshots leave data nothing uses.
      await rm(join(state, `day-${day - 1}.bin`), { force: true });
      await writeFile(join(state, `day-${day}.bin`), randomBytes(200 * 1024));
      const stored = await runBackup(repo, [{ kind: 'path', name: 'state', path: state }], runOptions(await tempDir(), {}, clock));
      expected.set(stored.id, await describeTree(state));
      clock.advance(24 * 3600_000);
    }
    const other = await runBackup(repo, [{ kind: 'path', name: 'state', path: state }], runOptions(await tempDir(), { host: 'monitoring' }, clock));

    const forgotten = await forgetSnapshots(repo, { host: 'services', stage: 'production', policy: { last: 1, daily: 2 }, dryRun: false, lock, logger: silentLogger() });
    expect(forgotten.keep).toHaveLength(2);
    expect(forgotten.remove).toHaveLength(3);
    const remaining = (await repo.listSnapshots()).snapshots.map((s) => s.id).sort();
    expect(remaining).toEqual([other.id, ...forgotten.keep.map((k) => k.snapshot.id)].sort());

    const before = (await checkRepository(repo, { readData: false })).packs;
    const pruned = await pruneRepository(repo, { repackThreshold: 0.2, packSize: 256 * 1024, host: 'services', lock, logger: silentLogger() });
    expect(pruned.packsDeleted + pruned.packsRepacked).toBeGreaterThan(0);
    expect(pruned.bytesFreed).toBeGreaterThan(2 * 200 * 1024);
    const after = await checkRepository(repo, { readData: true });
    expect(after.errors).toEqual([]);
    expect(after.packs).toBeLessThan(before + pruned.packsWritten);
    for (const id of remaining) {
      if (id === other.id) continue;
      const into = await tempDir();
      await restoreAll(repo, id, into);
      expect(await describeTree(into)).toEqual(expected.get(id));
    }
  });

  it('holds off a second exclusive operation, and removes a lock left by a process that is gone', async () => {
    const repo = await createRepository(await tempDir());
    const held = await acquireLock(repo, { ...lock, exclusive: true, operation: 'prune', host: 'services' }, silentLogger());
    await expect(acquireLock(repo, { ...lock, exclusive: false, operation: 'backup', host: 'services' }, silentLogger())).rejects.toMatchObject({
      code: 'HEARTH_ERR_BACKUP_LOCKED',
      message: expect.stringContaining(`an exclusive lock for 'prune' of host 'services' (pid ${process.pid}`),
    });
    await held.release();

    // A lock written by a process that no longer exists on this machine (pid 2^22 is above pid_max here).
    const dead = { machine: hostname(), pid: 4_194_304, host: 'services', operation: 'backup', exclusive: true, time: new Date().toISOString() };
    await repo.target.put(`${PREFIX.lock}${'d'.repeat(32)}`, await encodeRepositoryFile(repo.keys.sealing, 'lock', Buffer.from(JSON.stringify(dead))));
    const taken = await acquireLock(repo, { ...lock, exclusive: true, operation: 'prune', host: 'services' }, silentLogger());
    expect((await repo.target.list(PREFIX.lock)).map((o) => o.key)).toEqual([taken.key]);
    await taken.release();
  });

  it('refuses to restore a tampered tree whose entry would escape the target, and writes nothing outside it', async () => {
    const repo = await createRepository(await tempDir());
    const { index } = await repo.loadIndex();
    const packer = new Packer(repo, index, { packSize: 1 << 20, compressConcurrency: 1, uploadConcurrency: 1, indexEvery: 1 });
    const payload = Buffer.from('owned\n');
    const chunkId = repo.keys.blobId(payload);
    await packer.add(BlobType.data, chunkId, payload);
    const evil = encodeTree([{ path: '../escaped.txt', type: 'file', mode: 0o644, mtimeNs: '0', size: payload.length, chunks: [chunkId.toString('hex')] }]);
    const treeId = repo.keys.blobId(evil);
    await packer.add(BlobType.tree, treeId, evil);
    await packer.flush();
    const parent = await tempDir();
    const into = join(parent, 'target');
    await mkdir(into);
    await expect(repo.loadTree(index, treeId.toString('hex'))).rejects.toMatchObject({ code: 'HEARTH_ERR_BACKUP_UNSAFE_PATH' });
    await expect(stat(join(parent, 'escaped.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
