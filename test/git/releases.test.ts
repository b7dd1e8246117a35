import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsStorage } from '../../core/services/storage/fsStorage.js';
import type { Storage } from '../../core/services/storage/storage.js';
import { blobIdOf, siteKeys } from '../../core/services/releases/releaseLayout.js';
import { listReleaseIds, lookupFile, openFile, readLiveRelease, readRelease } from '../../core/services/releases/releaseReader.js';
import { publishRelease, switchLive, type ReleaseToPublish } from '../../core/services/releases/releaseWriter.js';
import { blobsToUpload, BUNDLE_TARGET_BYTES, COMPACT_MIN_BUNDLE_BYTES } from '../../core/services/releases/releaseBundles.js';
import '../../core/services/storage/errors.js';

let dir: string;
let storage: Storage;
const SITE = 'example.com';
const keys = siteKeys(SITE);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-releases-'));
  storage = new FsStorage({ dir }, pino({ level: 'silent' }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A release of `files` (path -> content), as the git plugin hands it over. */
function release(commit: string, files: Record<string, string | Buffer>, reads: string[] = []): ReleaseToPublish {
  const contents = new Map(Object.values(files).map((content) => [blobIdOf(Buffer.from(content)), Buffer.from(content)]));
  return {
    site: SITE, commit: commit.repeat(40).slice(0, 40), branch: 'main', author: { name: 'Ada', email: 'ada@example.com' }, subject: `commit ${commit}`,
    committedAt: new Date(0), built: false,
    files: Object.entries(files).map(([path, content]) => ({ path, blob: blobIdOf(Buffer.from(content)), mode: 'file' as const, contentType: 'text/plain', cacheControl: 'public, max-age=60' })),
    readBlob: async (blob) => {
      reads.push(blob);
      return contents.get(blob)!;
    },
  };
}

async function read(path: string, range?: { start: number; end?: number }): Promise<string | undefined> {
  const live = await readLiveRelease(storage, SITE);
  const opened = live && (await openFile(storage, live, path, range ? { range } : {}));
  if (!opened) return undefined;
  const parts: Buffer[] = [];
  for await (const chunk of opened.body) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString();
}

async function storedBundles(): Promise<string[]> {
  const bundles: string[] = [];
  for await (const info of storage.list(keys.bundles)) bundles.push(info.key.slice(keys.bundles.length));
  return bundles.sort();
}

async function bundleOf(releaseIndex: number, path: string): Promise<string> {
  const ids = await listReleaseIds(storage, SITE);
  return (await readRelease(storage, SITE, ids[releaseIndex]!))!.files[path]!.bundle;
}

const OPTIONS = { keep: 2, now: new Date('2025-01-01T00:00:00Z'), concurrency: 4 };

describe('releases in storage', () => {
  it('a first publish uploads each distinct blob once, in one bundle, and makes the release live', async () => {
    const reads: string[] = [];
    const result = await publishRelease(storage, release('a', { 'index.html': 'home', 'copy.html': 'home', 'about.html': 'about', 'empty.txt': '' }, reads), OPTIONS);
    expect(result).toMatchObject({ uploadedBlobs: 3, uploadedBundles: 1, uploadedBytes: 9, prunedReleases: 0 });
    expect(reads).toHaveLength(3);
    expect(result.release).toMatchObject({ id: `000001-${'a'.repeat(40)}`, fileCount: 4, bytes: 13 });
    expect(await read('/index.html')).toBe('home');
    expect(await read('about.html')).toBe('about');
    expect(await read('empty.txt')).toBe('');
    const live = await readLiveRelease(storage, SITE);
    expect(lookupFile(live!, '/index.html')).toMatchObject({ blob: blobIdOf(Buffer.from('home')), size: 4, mode: 'file', contentType: 'text/plain', cacheControl: 'public, max-age=60' });
    expect(lookupFile(live!, 'missing.html')).toBeUndefined();
    expect(lookupFile(live!, 'constructor')).toBeUndefined();
  });

  it('reads byte ranges relative to the file, as HTTP does', async () => {
    expect(await read('about.html', { start: 1, end: 3 })).toBe('bou');
    expect(await read('about.html', { start: 2 })).toBe('out');
    expect(await read('about.html', { start: 3, end: 999 })).toBe('ut');
    await expect(read('about.html', { start: 5 })).rejects.toThrow(/not satisfiable/);
  });

  it('a change uploads only the new blob, and the removed file stays readable in the previous release', async () => {
    const reads: string[] = [];
    const result = await publishRelease(storage, release('b', { 'index.html': 'home v2', 'copy.html': 'home' }, reads), OPTIONS);
    expect(reads).toEqual([blobIdOf(Buffer.from('home v2'))]);
    expect(result).toMatchObject({ uploadedBlobs: 1, uploadedBundles: 1, previous: `000001-${'a'.repeat(40)}`, deletedBundles: 0 });
    expect(await read('index.html')).toBe('home v2');
    expect(await read('about.html')).toBeUndefined();
    const [first] = await listReleaseIds(storage, SITE);
    const previous = (await readRelease(storage, SITE, first!))!;
    expect((await openFile(storage, previous, 'about.html'))?.file.size).toBe(5);
  });

  it('prunes releases beyond the kept number and deletes the bundles only they used', async () => {
    await publishRelease(storage, release('c', { 'index.html': 'home v2', 'new.html': 'new' }), OPTIONS);
    const firstBundle = await bundleOf(0, 'copy.html');
    expect(await storedBundles()).toContain(firstBundle);
    const result = await publishRelease(storage, release('d', { 'index.html': 'home v2', 'new.html': 'new' }), OPTIONS);
    expect(result).toMatchObject({ uploadedBlobs: 0, uploadedBundles: 0, prunedReleases: 1, deletedBundles: 1 });
    expect(await listReleaseIds(storage, SITE)).toEqual([`000003-${'c'.repeat(40)}`, `000004-${'d'.repeat(40)}`]);
    expect(await storedBundles()).not.toContain(firstBundle);
    expect(await storedBundles()).toHaveLength(2);
  });

  it('a publish that fails before the switch leaves the live release and storage as they were', async () => {
    const before = await storedBundles();
    const big = Buffer.alloc(BUNDLE_TARGET_BYTES, 1);
    const failing = release('e', { 'a.bin': big, 'b.html': 'new b', 'index.html': 'home v3' });
    const readBlob = failing.readBlob;
    let calls = 0;
    failing.readBlob = async (blob) => {
      // The first (full) bundle is uploaded before the third read fails.
      if (++calls === 3) throw new Error('file too large');
      return readBlob(blob);
    };
    await expect(publishRelease(storage, failing, { ...OPTIONS, concurrency: 1 })).rejects.toThrow('file too large');
    expect(await read('index.html')).toBe('home v2');
    expect(await storedBundles()).toEqual(before);
    expect(await listReleaseIds(storage, SITE)).toHaveLength(2);
  });

  it('switching live back to a kept release is a rollback', async () => {
    const [previous] = await listReleaseIds(storage, SITE);
    await switchLive(storage, (await readRelease(storage, SITE, previous!))!, new Date());
    expect((await readLiveRelease(storage, SITE))?.id).toBe(previous);
  });

  it('reads nothing for a site never deployed', async () => {
    expect(await readLiveRelease(storage, 'never.example')).toBeUndefined();
    expect(await listReleaseIds(storage, 'never.example')).toEqual([]);
  });
});

describe('bundle compaction', () => {
  it('moves blobs out of a large bundle the release uses less than a quarter of', () => {
    const size = COMPACT_MIN_BUNDLE_BYTES * 2;
    const known = new Map([
      ['small', { bundle: 'big', offset: 0, size: 100 }],
      ['kept', { bundle: 'busy', offset: 0, size: size / 2 }],
    ]);
    const sizes = new Map([['big', size], ['busy', size]]);
    expect(blobsToUpload(['small', 'kept', 'new', 'new'], known, sizes).sort()).toEqual(['new', 'small']);
  });
});
