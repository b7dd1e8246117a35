/**
 * What each storage engine promises beyond the shared contract (storage.test.ts): the directory
 * engine's atomicity, ordering and refusal to follow links; the S3 engine's prefix and its errors
 * when the bucket or the endpoint is wrong.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Secret } from '../../core/config/secret.js';
import { createStorage } from '../../core/services/storage/createStorage.js';
import { FsStorage } from '../../core/services/storage/fsStorage.js';
import { S3Storage } from '../../core/services/storage/s3Storage.js';
import type { Storage } from '../../core/services/storage/storage.js';

const silent = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-fs-engine-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function keys(storage: Storage, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for await (const info of storage.list(prefix)) found.push(info.key);
  return found;
}

const sha256 = (data: Buffer | string): string => `"${createHash('sha256').update(data).digest('hex')}"`;

describe('the fs engine', () => {
  it('never shows a torn object while writers race on one key', async () => {
    const storage = new FsStorage({ dir: await tempDir() }, silent);
    const bodies = Array.from({ length: 8 }, (_, writer) => Buffer.concat([Buffer.from(`writer-${writer}:`), randomBytes(256 * 1024)]));
    // Each writer yields to the others between chunks, so their writes interleave with each other and with the readers.
    const trickle = (body: Buffer): Readable =>
      Readable.from((async function* () {
        for (let offset = 0; offset < body.length; offset += 32 * 1024) {
          await new Promise((resolve) => setImmediate(resolve));
          yield body.subarray(offset, offset + 32 * 1024);
        }
      })());

    let writing = true;
    const writes = Promise.all(
      bodies.map(async (body, writer) => {
        for (let round = 0; round < 4; round++) await storage.put('hot.bin', trickle(body), { metadata: { writer: String(writer) } });
      }),
    ).finally(() => {
      writing = false;
    });
    const seen: { data: Buffer; etag: string; writer: string | undefined }[] = [];
    const reader = async (): Promise<void> => {
      while (writing) {
        const got = await storage.get('hot.bin').catch((error: { code?: string }) => (error.code === 'HEARTH_ERR_STORAGE_NOT_FOUND' ? undefined : Promise.reject(error)));
        if (got === undefined) await new Promise((resolve) => setImmediate(resolve));
        else seen.push({ data: Buffer.concat(await got.body.toArray()), etag: got.etag, writer: got.metadata?.['writer'] });
      }
    };
    await Promise.all([writes, reader(), reader(), reader()]);
    const final = await storage.get('hot.bin');
    seen.push({ data: Buffer.concat(await final.body.toArray()), etag: final.etag, writer: final.metadata?.['writer'] });

    for (const { data, etag, writer } of seen) {
      expect(writer, 'the metadata that came with the content names its writer').toMatch(/^\d+$/);
      expect(data.equals(bodies[Number(writer)]!), `content is writer ${writer}'s whole body`).toBe(true);
      expect(etag).toBe(sha256(data));
    }
  });

  it('lists keys in the order of their UTF-8 bytes, across folders, as S3 does', async () => {
    const storage = new FsStorage({ dir: await tempDir() }, silent);
    const names = ['a/b', 'a-c', 'a.d', 'a0', 'ab', 'B', 'b/z', 'b/\uE000', 'b/\u{1F600}'];
    for (const key of names) await storage.put(key, key);

    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(byBytes).toEqual(['B', 'a-c', 'a.d', 'a/b', 'a0', 'ab', 'b/z', 'b/\uE000', 'b/\u{1F600}']);
    expect(await keys(storage)).toEqual(byBytes);
    expect(await keys(storage, 'a')).toEqual(byBytes.slice(1, 6));
  });

  it('reports a key that needs a file and a folder of the same name as a conflict', async () => {
    const storage = new FsStorage({ dir: await tempDir() }, silent);
    await storage.put('docs', 'a file');
    await storage.put('x/y', 'nested');

    await expect(storage.put('docs/index.html', 'x')).rejects.toMatchObject({ code: 'HEARTH_ERR_STORAGE_KEY_CONFLICT', statusCode: 409 });
    await expect(storage.put('x', 'x')).rejects.toMatchObject({ code: 'HEARTH_ERR_STORAGE_KEY_CONFLICT' });
    expect(await storage.head('x')).toBeUndefined();
    await storage.delete(['x/y']);
    await storage.put('x', 'now a file');
    expect(await keys(storage)).toEqual(['docs', 'x']);
  });

  it('removes the folders a delete leaves empty, in both trees', async () => {
    const dir = await tempDir();
    const storage = new FsStorage({ dir }, silent);
    await storage.put('deep/a/b/c.txt', 'c');
    await storage.put('deep/keep.txt', 'k');

    await storage.delete(['deep/a/b/c.txt']);
    expect(await readdir(join(dir, 'objects', 'deep'))).toEqual(['keep.txt']);
    expect(await readdir(join(dir, 'meta', 'deep'))).toEqual(['keep.txt']);
    await storage.deletePrefix('deep/');
    expect(await readdir(join(dir, 'objects'))).toEqual([]);
    expect(await readdir(join(dir, 'meta'))).toEqual([]);
  });

  it('refuses to follow a symbolic link planted in its directory', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await writeFile(join(outside, 'secret.txt'), 'secret');
    const storage = new FsStorage({ dir }, silent);
    await storage.put('seed.txt', 'seed');
    await symlink(outside, join(dir, 'objects', 'linked'));
    await symlink(join(outside, 'secret.txt'), join(dir, 'objects', 'file-link'));

    const refused = { code: 'HEARTH_ERR_STORAGE_SYMLINK' };
    await expect(storage.get('linked/secret.txt')).rejects.toMatchObject(refused);
    await expect(storage.head('linked/secret.txt')).rejects.toMatchObject(refused);
    await expect(storage.get('file-link')).rejects.toMatchObject(refused);
    await expect(storage.put('linked/new.txt', 'x')).rejects.toMatchObject(refused);
    await expect(storage.delete(['linked/secret.txt'])).rejects.toMatchObject(refused);
    await expect(keys(storage, 'linked/')).rejects.toMatchObject(refused);
    expect(await keys(storage)).toEqual(['seed.txt']);
    expect(await storage.deletePrefix('')).toBe(1);
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('rebuilds the etag of an object whose content changed behind its back (a crash between renames)', async () => {
    const dir = await tempDir();
    const storage = new FsStorage({ dir }, silent);
    await storage.put('page.html', 'old', { contentType: 'text/html' });
    await writeFile(join(dir, 'tmp', 'by-hand'), 'new content');
    await rename(join(dir, 'tmp', 'by-hand'), join(dir, 'objects', 'page.html'));

    const head = await storage.head('page.html');
    expect(head).toMatchObject({ size: 11, etag: sha256('new content') });
    expect(head?.contentType).toBeUndefined();
    expect(Buffer.concat(await (await storage.get('page.html')).body.toArray()).toString()).toBe('new content');
  });

  it('clears temp files a crash left behind, and leaves none of its own after a failed put', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'tmp'), { recursive: true });
    await writeFile(join(dir, 'tmp', 'crashed.tmp'), 'half');
    await writeFile(join(dir, 'tmp', 'in-flight.tmp'), 'other process');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(dir, 'tmp', 'crashed.tmp'), twoHoursAgo, twoHoursAgo);
    const storage = new FsStorage({ dir }, silent);

    const failing = Readable.from((function* () {
      yield Buffer.from('start');
      throw new Error('client went away');
    })());
    await expect(storage.put('upload.bin', failing)).rejects.toThrow('client went away');
    expect(await readdir(join(dir, 'tmp'))).toEqual(['in-flight.tmp']);
  });
});

describe('the s3 engine', () => {
  const s3 = inject('s3');
  const bucketConfig = (overrides: Partial<{ bucket: string; prefix: string; endpoint: string }> = {}) => ({
    engine: 's3' as const,
    dir: '',
    s3: {
      bucket: s3.bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      accessKeyId: new Secret(s3.accessKeyId),
      secretAccessKey: new Secret(s3.secretAccessKey),
      prefix: '',
      forcePathStyle: true,
      ...overrides,
    },
  });

  it('puts every key under the prefix of the host file', async () => {
    const prefix = `engine-${randomBytes(4).toString('hex')}/production/`;
    const storage = createStorage(bucketConfig({ prefix }), silent);
    cleanups.push(async () => (await storage.deletePrefix(''), await storage.close()));
    await storage.put('sites/example.com/index.html', 'hi');

    const client = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    const raw = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${prefix}sites/example.com/index.html` }));
    client.destroy();
    expect(raw.ContentLength).toBe(2);
    expect(await keys(storage)).toEqual(['sites/example.com/index.html']);
  });

  it('says the bucket is missing, and how to fix it', async () => {
    const storage = createStorage(bucketConfig({ bucket: 'no-such-bucket' }), silent);
    cleanups.push(() => storage.close());
    await expect(storage.put('a.txt', 'a')).rejects.toMatchObject({ code: 'HEARTH_ERR_STORAGE_BAD_CONFIG', message: expect.stringContaining('storage.s3.bucket') });
  });

  it('reports an unreachable endpoint as unavailable, keeping the network error as cause', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const storage = new S3Storage({ bucket: 'b-1', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, accessKeyId: 'k', secretAccessKey: 's', maxAttempts: 1 }, silent);
    cleanups.push(() => storage.close());

    const failure = await storage.head('a.txt').catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'HEARTH_ERR_STORAGE_UNAVAILABLE', statusCode: 503, cause: { code: 'ECONNREFUSED' } });
  });

  it('refuses a storage section without s3 settings or with half a credential', () => {
    expect(() => createStorage({ engine: 's3', dir: '' }, silent)).toThrow(expect.objectContaining({ code: 'HEARTH_ERR_STORAGE_BAD_CONFIG' }));
    // The host file's check reports half a credential first (HEARTH_ERR_CONFIG_STORAGE); the engine refuses too.
    expect(() => new S3Storage({ bucket: 'b-1', region: 'us-east-1', forcePathStyle: true, accessKeyId: 'k' }, silent)).toThrow(/set both/);
  });
});
