/**
 * The git plugin's releases in backups (plugins/git/state/): the dump hook's copy of every site,
 * consistent while deploys keep switching and collecting releases, and the load hook putting it
 * back in place of what storage holds — the replaced objects kept aside, sites the dump does not
 * hold removed, a damaged dump refused before anything is written, a bucket's releases left alone.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempDirs.js';
import type { HostConfig } from '../../core/config/types.js';
import { FsStorage } from '../../core/services/storage/fsStorage.js';
import type { Storage } from '../../core/services/storage/storage.js';
import { blobIdOf, siteKeys } from '../../core/services/releases/releaseLayout.js';
import { listReleaseIds, readLiveRelease } from '../../core/services/releases/releaseReader.js';
import { publishRelease, type ReleaseToPublish } from '../../core/services/releases/releaseWriter.js';
import { SiteLocks } from '../../plugins/git/repo/siteLock.js';
import { dumpReleases } from '../../plugins/git/state/releaseDump.js';
import { loadReleases } from '../../plugins/git/state/releaseLoad.js';
import type { StateOwner } from '../../core/plugin/definition.js';
import { liveFilesOf } from './gitHost.js';
import '../../core/services/storage/errors.js';

afterAll(removeTempDirs);

const temp = (): Promise<string> => tempDir('hearth-release-backup-');

/** A host whose data directory and fs storage are under `dir`, and the git plugin's owner record on it. */
async function host(engine: 'fs' | 's3' = 'fs'): Promise<{ owner: StateOwner; storage: Storage; dir: string }> {
  const dir = await temp();
  const hostConfig = { name: 'services', dataDir: join(dir, 'data'), storage: { engine, dir: join(dir, 'data/storage') } } as unknown as HostConfig;
  const owner: StateOwner = { dataDir: join(dir, 'data/git'), config: {}, host: hostConfig, logger: pino({ level: 'silent' }) };
  return { owner, dir, storage: new FsStorage({ dir: join(dir, 'data/storage') }, pino({ level: 'silent' })) };
}

let sequence = 0;
/** Publishes a release of `files` as a push does, holding the site's lock. */
async function deploy(storage: Storage, owner: StateOwner, site: string, files: Record<string, string | Buffer>): Promise<void> {
  const contents = new Map(Object.values(files).map((content) => [blobIdOf(Buffer.from(content)), Buffer.from(content)]));
  const commit = createHash('sha1').update(String(sequence++)).digest('hex');
  const input: ReleaseToPublish = {
    site, commit, branch: 'main', author: { name: 'Ada', email: 'ada@example.com' }, subject: `deploy ${sequence}`, committedAt: new Date(0), built: false,
    files: Object.entries(files).map(([path, content]) => ({ path, blob: blobIdOf(Buffer.from(content)), mode: 'file' as const, contentType: 'text/html; charset=utf-8' })),
    readBlob: async (blob) => contents.get(blob)!,
  };
  await new SiteLocks(join(owner.dataDir, 'locks')).withLock(site, 10_000, () => publishRelease(storage, input, { keep: 2, now: new Date(), concurrency: 2 }));
}

async function keysOf(storage: Storage, prefix = 'sites/'): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of storage.list(prefix)) keys.push(info.key);
  return keys;
}

describe('the git plugin’s releases in backups', () => {
  it('dumps every site whole while deploys keep switching and collecting releases', async () => {
    const source = await host();
    await deploy(source.storage, source.owner, 'example.com', { 'index.html': 'v0' });
    let deploying = true;
    const deploys = (async () => {
      // keep: 2 collects a release and its bundles at nearly every deploy; large files get bundles of their own.
      for (let round = 1; deploying && round < 200; round++) {
        await deploy(source.storage, source.owner, 'example.com', { 'index.html': `v${round}`, [`page${round % 3}.html`]: randomBytes(64 * 1024 + round).toString('latin1') });
      }
    })();
    const dumps: string[] = [];
    for (let i = 0; i < 8; i++) {
      const dir = await temp();
      await dumpReleases(dir, source.owner);
      dumps.push(dir);
    }
    deploying = false;
    await deploys;
    for (const dump of dumps) {
      // Each dump is a consistent set: loaded into an empty host, its live release reads whole.
      const target = await host();
      await loadReleases(dump, target.owner);
      const files = await liveFilesOf(target.storage, 'example.com');
      expect(files?.['index.html']).toMatch(/^v\d+$/);
      const index = JSON.parse(await readFile(join(dump, 'releases.json'), 'utf8')) as { sites: Record<string, Record<string, { size: number }>> };
      expect((await keysOf(target.storage)).sort()).toEqual(Object.keys(index.sites['example.com']!).map((key) => `sites/example.com/${key}`).sort());
    }
  });

  it('waits for a deploy holding the site’s lock before it reads the site', async () => {
    const source = await host();
    await deploy(source.storage, source.owner, 'example.com', { 'index.html': 'old' });
    let release!: () => void;
    const held = new SiteLocks(join(source.owner.dataDir, 'locks')).withLock('example.com', 1000, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const dir = await temp();
    let dumped = false;
    const dump = dumpReleases(dir, source.owner).then(() => (dumped = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dumped).toBe(false);
    release();
    await held;
    await dump;
    expect(dumped).toBe(true);
  });

  it('replaces what storage holds, keeping the replaced objects aside and bundles it already has', async () => {
    const source = await host();
    const target = await host();
    // Both first deployed the same stylesheet: the same bundle, by name and bytes, is on both sides.
    for (const side of [source, target]) await deploy(side.storage, side.owner, 'example.com', { 'shared.css': 'body{}' });
    await deploy(source.storage, source.owner, 'example.com', { 'index.html': 'restored', 'shared.css': 'body{}' });
    await deploy(source.storage, source.owner, 'docs.example.com', { 'index.html': 'docs' });
    const dump = await temp();
    await dumpReleases(dump, source.owner);

    await deploy(target.storage, target.owner, 'example.com', { 'index.html': 'newer', 'shared.css': 'body{}' });
    await deploy(target.storage, target.owner, 'gone.example.com', { 'index.html': 'not in the snapshot' });
    const sharedBundle = (await readLiveRelease(target.storage, 'example.com'))!.files['shared.css']!.bundle;
    const before = await stat(join(target.dir, 'data/storage/objects/sites/example.com/bundles', sharedBundle));
    const previousDir = join(target.dir, 'data/.pre-restore/20250101T000000Z/git');
    await loadReleases(dump, { ...target.owner, previousDir });

    expect(await liveFilesOf(target.storage, 'example.com')).toEqual({ 'index.html': 'restored', 'shared.css': 'body{}' });
    expect(await liveFilesOf(target.storage, 'docs.example.com')).toEqual({ 'index.html': 'docs' });
    expect(await keysOf(target.storage, 'sites/gone.example.com/')).toEqual([]);
    expect(await listReleaseIds(target.storage, 'example.com')).toEqual(await listReleaseIds(source.storage, 'example.com'));
    // The replaced site is kept aside, readable as files; a site the snapshot does not hold too.
    const aside = join(previousDir, 'releases');
    expect((await readdir(aside)).sort()).toEqual(['example.com', 'gone.example.com']);
    expect(JSON.parse(await readFile(join(aside, 'example.com/live.json'), 'utf8'))).toMatchObject({ format: 1 });
    await stat(join(aside, 'gone.example.com/live.json'));
    // A bundle both sides hold was neither rewritten nor copied aside.
    const after = await stat(join(target.dir, 'data/storage/objects/sites/example.com/bundles', sharedBundle));
    expect(after.ino).toBe(before.ino);
    await expect(stat(join(aside, 'example.com/bundles', sharedBundle))).rejects.toThrow();
  });

  it('refuses a damaged dump before it writes anything', async () => {
    const source = await host();
    await deploy(source.storage, source.owner, 'example.com', { 'index.html': 'snapshot' });
    const dump = await temp();
    await dumpReleases(dump, source.owner);
    const bundles = join(dump, 'releases/example.com/bundles');
    await rm(join(bundles, (await readdir(bundles))[0]!));

    const target = await host();
    await deploy(target.storage, target.owner, 'example.com', { 'index.html': 'live' });
    const keys = await keysOf(target.storage);
    await expect(loadReleases(dump, target.owner)).rejects.toThrow(/ENOENT|does not hold/);
    expect(await keysOf(target.storage)).toEqual(keys);
    expect(await liveFilesOf(target.storage, 'example.com')).toEqual({ 'index.html': 'live' });
  });

  it('leaves storage alone for a dump from a bucket, or from before releases were backed up', async () => {
    const bucketHost = await host('s3');
    const dump = await temp();
    await dumpReleases(dump, bucketHost.owner);
    expect(JSON.parse(await readFile(join(dump, 'releases.json'), 'utf8'))).toEqual({ format: 1, storage: 's3', sites: {} });

    const target = await host();
    await deploy(target.storage, target.owner, 'example.com', { 'index.html': 'live' });
    const keys = await keysOf(target.storage);
    await loadReleases(dump, target.owner);
    const empty = await temp();
    await mkdir(join(empty, 'nothing'));
    await writeFile(join(empty, 'other.txt'), '');
    await loadReleases(empty, target.owner);
    expect(await keysOf(target.storage)).toEqual(keys);
  });
});
