import { afterAll, describe, expect, inject, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Secret } from '../../core/config/secret.js';
import { createStorage } from '../../core/services/storage/createStorage.js';
import { BackupTarget } from '../../plugins/backup/repository/target.js';
import { Repository } from '../../plugins/backup/repository/repository.js';
import { runBackup } from '../../plugins/backup/repository/backupRun.js';
import { restoreTree } from '../../plugins/backup/repository/restoreTree.js';
import { checkRepository } from '../../plugins/backup/repository/check.js';
import { PASSPHRASE, TEST_KDF, describeTree, removeTempDirs, runOptions, silentLogger, tempDir, writeSampleState } from './backupFixture.js';

afterAll(removeTempDirs);

function s3Target(prefix: string): BackupTarget {
  const s3 = inject('s3');
  const storage = createStorage(
    {
      engine: 's3',
      dir: '',
      s3: { bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, accessKeyId: new Secret(s3.accessKeyId), secretAccessKey: new Secret(s3.secretAccessKey), prefix, forcePathStyle: true },
    },
    silentLogger(),
  );
  return new BackupTarget(storage, { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 }, silentLogger(), `s3://${s3.bucket}/${prefix}`);
}

describe('a backup to an S3 bucket (s3rver)', () => {
  it('restores byte-identical, deduplicates the second run, and passes check --read-data', async () => {
    const prefix = `backup-${randomBytes(4).toString('hex')}/`;
    const state = await writeSampleState(await tempDir());
    const repo = await Repository.init(s3Target(prefix), PASSPHRASE, { kdf: TEST_KDF });
    try {
      const sources = [{ kind: 'plugin' as const, name: 'git', root: state, paths: ['.'] }];
      const first = await runBackup(repo, sources, runOptions(await tempDir()));
      await writeFile(join(state, 'notes.log'), 'rewritten\n');
      const second = await runBackup(repo, sources, runOptions(await tempDir()));
      expect(second.snapshot.summary.addedBytes).toBeLessThan(16 * 1024);
      expect(first.snapshot.summary.addedBytes).toBeGreaterThan(3 * 1024 * 1024);

      // A fresh machine: only the bucket and the passphrase.
      const elsewhere = await Repository.open(s3Target(prefix), PASSPHRASE);
      try {
        const { index } = await elsewhere.loadIndex();
        const into = await tempDir();
        await mkdir(into, { recursive: true });
        await restoreTree(elsewhere, index, await elsewhere.loadTree(index, second.snapshot.sources[0]!.tree), into);
        expect(await describeTree(into)).toEqual(await describeTree(state));
        expect((await checkRepository(elsewhere, { readData: true })).errors).toEqual([]);
      } finally {
        await elsewhere.target.close();
      }
    } finally {
      await repo.target.close();
    }
  });
});
