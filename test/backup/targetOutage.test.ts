import { afterAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { bootHost } from '../helpers/bootHost.js';
import { startS3Server } from '../setup/s3Server.js';
import type { BackupInstance } from '../../plugins/backup/index.js';
import { removeTempDirs, tempDir } from './backupFixture.js';

const PASSPHRASE = 'outage test passphrase';
afterAll(removeTempDirs);

describe('a backup whose S3 target goes away mid-run', () => {
  it('retries, then fails with a clear error and counts the failure', async () => {
    // A server of its own: the suites' shared s3rver must keep running.
    const s3 = await startS3Server();
    let stopped = false;
    try {
      const { endpoint, bucket, accessKeyId, secretAccessKey } = s3.fixture;
      const uploads = await tempDir();
      await writeFile(join(uploads, 'attachments.bin'), randomBytes(16 * 1024 * 1024));
      const yaml = `
defaults: { dataDir: ./data, log: { level: info } }
hosts:
  services:
    port: 0
    plugins:
      backup:
        target:
          engine: s3
          s3: { bucket: ${bucket}, endpoint: "${endpoint}", accessKeyId: ${accessKeyId}, secretAccessKey: ${secretAccessKey}, forcePathStyle: true, prefix: flaky/ }
        paths: [{ name: uploads, path: ${uploads} }]
        packSize: 65536
        retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 }
        lock: { waitMs: 0 }
`;
      process.env.HEARTH_BACKUP_PASSPHRASE = PASSPHRASE;
      const h = await bootHost(yaml, { host: 'services' });
      try {
        const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
        const run = h.host.instance<BackupInstance>('backup')!.runNow();
        run.catch(() => undefined);
        // Pull the plug once the run has stored a few packs.
        for (let tries = 0; ; tries++) {
          const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'flaky/data/' }));
          if ((listed.KeyCount ?? 0) >= 5) break;
          if (tries > 2000) throw new Error('no pack reached the bucket');
          await new Promise((r) => setTimeout(r, 5));
        }
        client.destroy();
        await s3.stop();
        stopped = true;

        await expect(run).rejects.toMatchObject({
          code: 'HEARTH_ERR_BACKUP_TARGET_UNREACHABLE',
          message: expect.stringMatching(/backup target s3:\/\/hearth-test\/flaky\/ failed 3 times on \w+ '[^']+': .*check that it is reachable/),
        });
        const metrics = await (await fetch(`${h.url}/metrics`)).text();
        expect(metrics).toMatch(/^hearth_backup_failures_total 1$/m);
        expect(metrics).toMatch(/^hearth_backup_files 0$/m);
        const logs = h.logs.join('\n');
        expect(logs).toContain('backup target call failed; retrying');
        expect(logs).toContain('HEARTH_ERR_BACKUP_TARGET_UNREACHABLE');
        expect(logs).not.toContain(PASSPHRASE);
      } finally {
        await h.dispose();
      }
    } finally {
      delete process.env.HEARTH_BACKUP_PASSPHRASE;
      if (!stopped) await s3.stop();
    }
  });
});
