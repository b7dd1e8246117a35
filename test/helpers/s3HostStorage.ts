/**
 * A host's `storage` section on the run's s3rver (the global setup's bucket), under a key prefix of
 * the suite's own, with its credentials passed through the environment as a real host file would.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** A fresh prefix, so a suite never meets another's keys in the shared bucket. */
export function suitePrefix(name: string): string {
  return `${name}-${randomBytes(4).toString('hex')}/`;
}

/** The `storage:` lines of a host (indented for `hosts.<name>`), naming `${S3_KEY}` and `${S3_SECRET}`. */
export function s3StorageYaml(prefix: string): string {
  const s3 = inject('s3');
  return `    storage:
      engine: s3
      s3:
        bucket: ${s3.bucket}
        region: ${s3.region}
        endpoint: ${s3.endpoint}
        accessKeyId: \${S3_KEY}
        secretAccessKey: \${S3_SECRET}
        prefix: ${prefix}
        forcePathStyle: true`;
}

/** The environment that fills `${S3_KEY}` and `${S3_SECRET}`. */
export function s3Env(): Record<string, string> {
  const s3 = inject('s3');
  return { S3_KEY: s3.accessKeyId, S3_SECRET: s3.secretAccessKey };
}
