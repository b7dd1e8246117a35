/**
 * The storage conformance suite: every promise of the Storage interface, checked the same way on
 * both engines — a temp directory, and s3rver reached through createStorage exactly as a host
 * reaches a bucket (under a prefix). Engine-specific guarantees are in storageEngines.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Secret } from '../../core/config/secret.js';
import { createStorage } from '../../core/services/storage/createStorage.js';
import type { PutOptions, Storage } from '../../core/services/storage/storage.js';

const silent = pino({ level: 'silent' });

interface Engine {
  readonly engine: 'fs' | 's3';
  open(): Promise<{ storage: Storage; dispose(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    engine: 'fs',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'hearth-storage-'));
      return { storage: createStorage({ engine: 'fs', dir }, silent), dispose: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    engine: 's3',
    async open() {
      const s3 = inject('s3');
      const storage = createStorage(
        {
          engine: 's3',
          dir: '',
          s3: {
            bucket: s3.bucket,
            region: s3.region,
            endpoint: s3.endpoint,
            accessKeyId: new Secret(s3.accessKeyId),
            secretAccessKey: new Secret(s3.secretAccessKey),
            prefix: `conformance-${randomBytes(4).toString('hex')}/`,
            forcePathStyle: true,
          },
        },
        silent,
      );
      return { storage, dispose: async () => void (await storage.deletePrefix(''), await storage.close()) };
    },
  },
];

async function text(storage: Storage, key: string): Promise<string> {
  return (await bytes((await storage.get(key)).body)).toString('utf8');
}

async function bytes(body: Readable): Promise<Buffer> {
  return Buffer.concat(await body.toArray());
}

async function keys(listing: AsyncIterable<{ key: string }>): Promise<string[]> {
  const found: string[] = [];
  for await (const info of listing) found.push(info.key);
  return found;
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  }));
}

describe.each(engines)('storage on $engine', ({ open }) => {
  let root: Storage;
  let dispose: () => Promise<void>;
  let cases = 0;
  /** A fresh folder per test, so tests never see each other's keys. */
  const fresh = (): Storage => root.scoped(`case-${++cases}/`);

  beforeAll(async () => {
    ({ storage: root, dispose } = await open());
  });
  afterAll(async () => dispose());

  it('reads back a string and a Buffer byte for byte, and put reports what head reports', async () => {
    const storage = fresh();
    const binary = randomBytes(1000);
    const written = await storage.put('hello.txt', 'grüß dich');
    await storage.put('data.bin', binary);

    expect(await text(storage, 'hello.txt')).toBe('grüß dich');
    expect(await bytes((await storage.get('data.bin')).body)).toEqual(binary);
    const head = await storage.head('hello.txt');
    expect(head).toMatchObject({ key: 'hello.txt', size: Buffer.byteLength('grüß dich'), etag: written.etag });
    expect(written).toMatchObject({ key: 'hello.txt', size: head?.size });
    expect(head?.lastModified).toBeInstanceOf(Date);
  });

  it('streams a 12 MB body in and out (a multipart upload on S3)', async () => {
    const storage = fresh();
    const content = randomBytes(12 * 1024 * 1024);
    const chunks = function* () {
      for (let offset = 0; offset < content.length; offset += 64 * 1024) yield content.subarray(offset, offset + 64 * 1024);
    };
    const written = await storage.put('video.mp4', Readable.from(chunks()), { contentType: 'video/mp4' });

    expect(written.size).toBe(content.length);
    const got = await storage.get('video.mp4');
    const digest = createHash('sha256').update(await bytes(got.body)).digest('hex');
    expect(digest).toBe(createHash('sha256').update(content).digest('hex'));
    expect(got).toMatchObject({ size: content.length, contentType: 'video/mp4', etag: written.etag });
  });

  it('serves byte ranges: start-end, open end, an end past the object cut short', async () => {
    const storage = fresh();
    await storage.put('digits.txt', '0123456789');

    const middle = await storage.get('digits.txt', { range: { start: 2, end: 5 } });
    expect((await bytes(middle.body)).toString()).toBe('2345');
    expect(middle).toMatchObject({ range: { start: 2, end: 5 }, size: 10 });
    const tail = await storage.get('digits.txt', { range: { start: 7 } });
    expect((await bytes(tail.body)).toString()).toBe('789');
    expect(tail.range).toEqual({ start: 7, end: 9 });
    const past = await storage.get('digits.txt', { range: { start: 5, end: 1000 } });
    expect((await bytes(past.body)).toString()).toBe('56789');
    expect(past.range).toEqual({ start: 5, end: 9 });
  });

  it('refuses ranges that start past the end or are malformed, with 416', async () => {
    const storage = fresh();
    await storage.put('digits.txt', '0123456789');
    for (const range of [{ start: 10 }, { start: 3, end: 1 }, { start: -1 }, { start: 1.5 }]) {
      await expect(storage.get('digits.txt', { range }), JSON.stringify(range)).rejects.toMatchObject({
        code: 'HEARTH_ERR_STORAGE_BAD_RANGE',
        statusCode: 416,
      });
    }
  });

  it('answers head of an absent key with undefined and get with NOT_FOUND', async () => {
    const storage = fresh();
    expect(await storage.head('nothing/here.html')).toBeUndefined();
    await expect(storage.get('nothing/here.html')).rejects.toMatchObject({ code: 'HEARTH_ERR_STORAGE_NOT_FOUND', statusCode: 404 });
  });

  it('lists more than a thousand keys under a prefix, page by page, in key order, and deletes them in one call', async () => {
    const storage = fresh();
    const pages = Array.from({ length: 1005 }, (_, index) => `pages/p${String(index).padStart(4, '0')}.html`);
    const shuffled = [...pages].sort(() => Math.random() - 0.5);
    await eachLimited([...shuffled, 'pagesextra.html', 'pagesx/y.html', 'other/z.html'], 16, (key) => storage.put(key, key));

    expect(await keys(storage.list('pages/'))).toEqual(pages);
    expect(await keys(storage.list('pages/p00'))).toEqual(pages.slice(0, 100));
    expect(await keys(storage.list('pages'))).toEqual([...pages, 'pagesextra.html', 'pagesx/y.html']);

    await storage.delete([...pages, 'pages/absent.html']);
    expect(await keys(storage.list(''))).toEqual(['other/z.html', 'pagesextra.html', 'pagesx/y.html']);
  });

  it('deletes a batch of keys, ignoring absent ones', async () => {
    const storage = fresh();
    await Promise.all(['a.txt', 'b.txt', 'c.txt'].map((key) => storage.put(key, key)));

    await storage.delete(['a.txt', 'b.txt', 'missing.txt', 'a.txt']);
    await storage.delete([]);

    expect(await keys(storage.list())).toEqual(['c.txt']);
  });

  it('deletes everything under a prefix and says how many objects went', async () => {
    const storage = fresh();
    await Promise.all(['site/a/1.html', 'site/a/b/2.html', 'site/b.html', 'sitemap.xml', 'other.txt'].map((key) => storage.put(key, key)));

    expect(await storage.deletePrefix('site/')).toBe(3);
    expect(await keys(storage.list(''))).toEqual(['other.txt', 'sitemap.xml']);
    expect(await storage.deletePrefix('site/')).toBe(0);
  });

  it('keeps scoped views apart: each sees only its own folder, with relative keys', async () => {
    const storage = fresh();
    const alpha = storage.scoped('alpha/');
    const beta = storage.scoped('beta/');
    await alpha.put('index.html', 'alpha');
    await beta.put('index.html', 'beta');
    await alpha.scoped('assets/').put('app.js', 'js');

    expect(await text(alpha, 'index.html')).toBe('alpha');
    expect(await text(beta, 'index.html')).toBe('beta');
    expect(await keys(alpha.list())).toEqual(['assets/app.js', 'index.html']);
    expect(await storage.head('alpha/assets/app.js')).toMatchObject({ key: 'alpha/assets/app.js', size: 2 });
    expect(await alpha.deletePrefix('')).toBe(2);
    expect(await keys(storage.list())).toEqual(['beta/index.html']);
    expect(() => storage.scoped('no-slash')).toThrow(expect.objectContaining({ code: 'HEARTH_ERR_STORAGE_BAD_KEY' }));
  });

  it('rejects keys that could escape or confuse a path, before storing anything', async () => {
    const storage = fresh();
    const bad = ['../x', '/x', 'a//b', 'a\\b', 'a\u0000b', '', 'a/', './x', 'x/..', 'tab\there', 'k'.repeat(1025), '\ud800'];
    for (const key of bad) {
      const rejected = { code: 'HEARTH_ERR_STORAGE_BAD_KEY', statusCode: 400 };
      await expect(storage.put(key, 'x'), JSON.stringify(key)).rejects.toMatchObject(rejected);
      await expect(storage.get(key), JSON.stringify(key)).rejects.toMatchObject(rejected);
      await expect(storage.head(key), JSON.stringify(key)).rejects.toMatchObject(rejected);
      await expect(storage.delete(['fine.txt', key]), JSON.stringify(key)).rejects.toMatchObject(rejected);
    }
    for (const prefix of ['/x', '../', 'a//', 'a\\']) {
      await expect(keys(storage.list(prefix)), JSON.stringify(prefix)).rejects.toMatchObject({ code: 'HEARTH_ERR_STORAGE_BAD_KEY' });
      await expect(storage.deletePrefix(prefix), JSON.stringify(prefix)).rejects.toMatchObject({ code: 'HEARTH_ERR_STORAGE_BAD_KEY' });
    }
    expect(await keys(storage.list(''))).toEqual([]);
    expect(await root.head('x')).toBeUndefined();
  });

  it('gives an overwritten object a new etag and the new content', async () => {
    const storage = fresh();
    const first = await storage.put('page.html', 'one');
    const second = await storage.put('page.html', 'two');

    expect(second.etag).not.toBe(first.etag);
    expect((await storage.head('page.html'))?.etag).toBe(second.etag);
    expect(await text(storage, 'page.html')).toBe('two');
  });

  it('keeps content type, cache control and metadata, and a new put replaces them', async () => {
    const storage = fresh();
    const options = { contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=60', metadata: { 'git-blob': 'abc123', release: '7' } };
    expect(await storage.put('index.html', '<h1>hi</h1>', options)).toMatchObject(options);

    expect(await storage.head('index.html')).toMatchObject(options);
    const got = await storage.get('index.html');
    got.body.destroy();
    expect(got).toMatchObject(options);

    await storage.put('index.html', 'plain');
    const head = await storage.head('index.html');
    expect(head?.metadata).toBeUndefined();
    expect(head?.cacheControl).toBeUndefined();
  });

  it('rejects metadata S3 would mangle or refuse', async () => {
    const storage = fresh();
    const bad: PutOptions[] = [
      { metadata: { Upper: 'x' } },
      { metadata: { ok: 'naïve' } },
      { metadata: { big: 'x'.repeat(2100) } },
      { contentType: 'text/html\r\nX-Evil: 1' },
    ];
    for (const options of bad) {
      await expect(storage.put('page.html', 'x', options), JSON.stringify(options)).rejects.toMatchObject({ code: 'HEARTH_ERR_STORAGE_BAD_METADATA' });
    }
    expect(await storage.head('page.html')).toBeUndefined();
  });

  it('stores nothing when the body fails halfway, and hands back the body’s own error', async () => {
    const storage = fresh();
    const failing = Readable.from((function* () {
      for (let part = 0; part < 9; part++) yield randomBytes(1024 * 1024);
      throw new Error('client went away');
    })());

    await expect(storage.put('upload.bin', failing)).rejects.toThrow('client went away');
    expect(await storage.head('upload.bin')).toBeUndefined();
  });
});
