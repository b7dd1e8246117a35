/**
 * Builds a host's storage from its `storage` section: a directory, or an S3 bucket under the host
 * file's prefix (which already ends with the stage, so stages never share keys). Construction
 * opens nothing: the directory is created and the bucket first contacted on the first call.
 */
import type { Logger } from 'pino';
import type { StorageConfig } from '../../config/types.js';
import { HearthError } from '../../errors/HearthError.js';
import { FsStorage } from './fsStorage.js';
import { DeferredStorage } from './deferredStorage.js';
import { ScopedStorage } from './scopedStorage.js';
import type { Storage } from './storage.js';
import './errors.js';

/** The storage a host's `storage` section describes; `close()` it when the host stops. */
export function createStorage(config: StorageConfig, logger: Logger): Storage {
  if (config.engine === 'fs') return new FsStorage({ dir: config.dir }, logger);
  if (config.engine !== 's3') {
    throw new HearthError('HEARTH_ERR_STORAGE_BAD_CONFIG', `storage engine ${JSON.stringify(config.engine)} is unknown: use 'fs' or 's3'`);
  }
  const s3 = config.s3;
  if (s3 === undefined) {
    throw new HearthError(
      'HEARTH_ERR_STORAGE_BAD_CONFIG',
      "storage.engine is 's3' but storage.s3 is missing: add bucket, region and (for MinIO or another server) endpoint",
    );
  }
  const options = {
    bucket: s3.bucket,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    ...(s3.accessKeyId === undefined ? {} : { accessKeyId: s3.accessKeyId.reveal() }),
    ...(s3.secretAccessKey === undefined ? {} : { secretAccessKey: s3.secretAccessKey.reveal() }),
  };
  // The AWS SDK loads on first use, so hosts that never touch their bucket start without it.
  const bucket = new DeferredStorage('s3', async () => new (await import('./s3Storage.js')).S3Storage(options, logger));
  return s3.prefix === '' ? bucket : new ScopedStorage(bucket, s3.prefix, { closesBase: true });
}
