/**
 * The git plugin's dump hook: a consistent copy of every site's releases, taken while the host may
 * be deploying. Each site is read under its writer lock (the one pushes and `hearth git rollback`
 * take), so the copy never holds a live pointer without its manifest, nor a manifest without its
 * bundles. Under the lock the objects are only opened — the fs engine's reads are snapshots of an
 * open file — and they are copied after it is released, so a push waits for the opening alone.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createStorage } from '../../../core/services/storage/createStorage.js';
import type { GetResult, Storage } from '../../../core/services/storage/storage.js';
import { siteKeys } from '../../../core/services/releases/releaseLayout.js';
import { LOCKS_DIR } from '../gitSites.js';
import { SiteLocks } from '../repo/siteLock.js';
import type { StateOwner } from '../../../core/plugin/definition.js';
import { RELEASES_DIR, RELEASES_DUMP_FORMAT, RELEASES_INDEX, storedSites, type DumpedObject, type ReleasesIndex } from './releaseArchive.js';

/**
 * Longest wait for a site's lock, in milliseconds. A push holds it through its build (10 minutes
 * by default, more when a site sets its own timeout); a backup waits rather than fail.
 */
export const DUMP_LOCK_WAIT_MS = 30 * 60_000;
/** Objects held open at once; past this, a site is copied in batches (still under its lock). */
const OPEN_AT_ONCE = 128;

interface Opened {
  readonly file: string;
  readonly object: GetResult;
}

async function copyOut(opened: Opened[]): Promise<void> {
  try {
    while (opened.length > 0) {
      const { file, object } = opened.shift()!;
      await mkdir(dirname(file), { recursive: true });
      await pipeline(object.body, createWriteStream(file, { mode: 0o600 }));
    }
  } finally {
    for (const rest of opened.splice(0)) rest.object.body.destroy();
  }
}

/** Copies one site's objects into `dir`; returns what the index records of them. */
async function dumpSite(storage: Storage, locks: SiteLocks, site: string, dir: string): Promise<Record<string, DumpedObject>> {
  const root = siteKeys(site).root;
  const objects: Record<string, DumpedObject> = {};
  const opened: Opened[] = [];
  try {
    await locks.withLock(site, DUMP_LOCK_WAIT_MS, async () => {
      for await (const info of storage.list(root)) {
        const object = await storage.get(info.key);
        const key = info.key.slice(root.length);
        objects[key] = {
          size: object.size,
          ...(object.contentType === undefined ? {} : { contentType: object.contentType }),
          ...(object.cacheControl === undefined ? {} : { cacheControl: object.cacheControl }),
          ...(object.metadata === undefined ? {} : { metadata: object.metadata }),
        };
        opened.push({ file: join(dir, ...key.split('/')), object });
        if (opened.length >= OPEN_AT_ONCE) await copyOut(opened);
      }
    });
    await copyOut(opened);
  } finally {
    for (const rest of opened) rest.object.body.destroy();
  }
  return objects;
}

/**
 * `state.dump` of the git plugin: writes `releases.json` and, when the host's storage is a
 * directory, every site's objects (see releaseArchive.ts). `owner.dataDir` is the plugin's data
 * directory, where the site locks are.
 */
export async function dumpReleases(dir: string, owner: StateOwner): Promise<void> {
  const config = owner.host.storage;
  if (config.engine !== 'fs') {
    const index: ReleasesIndex = { format: RELEASES_DUMP_FORMAT, storage: 's3', sites: {} };
    await writeFile(join(dir, RELEASES_INDEX), JSON.stringify(index));
    return;
  }
  const storage = createStorage(config, owner.logger);
  try {
    const locks = new SiteLocks(join(owner.dataDir, LOCKS_DIR));
    const sites: Record<string, Record<string, DumpedObject>> = {};
    for (const site of await storedSites(storage)) sites[site] = await dumpSite(storage, locks, site, join(dir, RELEASES_DIR, site));
    const index: ReleasesIndex = { format: RELEASES_DUMP_FORMAT, storage: 'fs', sites };
    await writeFile(join(dir, RELEASES_INDEX), JSON.stringify(index));
  } finally {
    await storage.close();
  }
}
