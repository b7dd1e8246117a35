/**
 * The git plugin's load hook: puts the releases of a dump (releaseDump.ts) back into the host's
 * storage, during `hearth restore` with the host stopped. Each site of the dump replaces the site
 * in storage, and a site in storage that the dump does not hold is removed, as the repositories
 * are replaced whole.
 *
 * The dump is checked whole before anything is written: every manifest and live pointer parses,
 * every bundle a manifest names is there with its size. Then, site by site, in the order a deploy
 * writes:
 *
 * 1. every object the restore will overwrite or remove is copied to `<previous>/releases/<site>/`
 *    (a bundle already stored with the same content is neither: bundles are named by their hash);
 * 2. the bundles, then the manifests are put;
 * 3. `live.json` is put: the switch, one atomic put, as a deploy's;
 * 4. what the restored site does not hold is deleted, pointer first.
 *
 * An interruption leaves each site serving its old release or its restored one, whole; a second
 * restore finishes the job.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createStorage } from '../../../core/services/storage/createStorage.js';
import type { ObjectInfo, Storage } from '../../../core/services/storage/storage.js';
import { assertKey } from '../../../core/services/storage/storageKey.js';
import { checkLivePointer, checkManifest, isBundleId, siteKeys } from '../../../core/services/releases/releaseLayout.js';
import type { StateOwner } from '../../../core/plugin/definition.js';
import { RELEASES_DIR, RELEASES_DUMP_FORMAT, RELEASES_INDEX, storedSites, type DumpedObject, type ReleasesIndex } from './releaseArchive.js';

const BUNDLES = 'bundles/';
const RELEASES = 'releases/';
const LIVE = 'live.json';

/** Where a restore keeps replaced releases when the caller names no directory for the plugin's previous state. */
function defaultPreviousDir(owner: StateOwner): string {
  return join(owner.host.dataDir, '.pre-restore', new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z'), 'git');
}

async function readIndex(dir: string): Promise<ReleasesIndex | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, RELEASES_INDEX), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const index = JSON.parse(text) as ReleasesIndex;
  if (index.format !== RELEASES_DUMP_FORMAT || (index.storage !== 'fs' && index.storage !== 's3') || typeof index.sites !== 'object' || index.sites === null) {
    throw new TypeError(`${RELEASES_INDEX} of the restored git state is not a releases index of format ${RELEASES_DUMP_FORMAT}`);
  }
  return index;
}

/** Checks one dumped site: its objects are there, its manifests and pointer are whole and agree. */
async function checkSite(dir: string, site: string, objects: Readonly<Record<string, DumpedObject>>): Promise<void> {
  const root = siteKeys(site).root; // a name storage keys cannot hold throws here
  const where = (key: string) => `the restored release file sites/${site}/${key}`;
  const readJson = async (key: string): Promise<unknown> => JSON.parse(await readFile(join(dir, ...key.split('/')), 'utf8')) as unknown;
  for (const [key, object] of Object.entries(objects)) {
    assertKey(`${root}${key}`);
    const size = (await stat(join(dir, ...key.split('/')))).size;
    if (size !== object.size) throw new TypeError(`${where(key)} has ${size} bytes, the dump says ${object.size}`);
  }
  const manifests = new Set<string>();
  for (const key of Object.keys(objects).filter((k) => k.startsWith(RELEASES) && k.endsWith('.json'))) {
    const manifest = checkManifest(await readJson(key), where(key));
    for (const [bundle, size] of Object.entries(manifest.bundles)) {
      if (!isBundleId(bundle) || objects[`${BUNDLES}${bundle}`]?.size !== size) {
        throw new TypeError(`${where(key)} names bundle ${bundle} (${size} bytes), which the dump does not hold whole`);
      }
    }
    manifests.add(manifest.id);
  }
  if (Object.hasOwn(objects, LIVE)) {
    const pointer = checkLivePointer(await readJson(LIVE), where(LIVE));
    if (!manifests.has(pointer.release)) throw new TypeError(`${where(LIVE)} points to release ${pointer.release}, which the dump does not hold`);
  }
}

/** Writes order: bundles, then manifests and anything else, then the live pointer last. */
function putOrder(keys: readonly string[]): string[] {
  const rank = (key: string) => (key.startsWith(BUNDLES) ? 0 : key === LIVE ? 2 : 1);
  return [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Deletion order: the live pointer, then manifests and the rest, then bundles. */
function deleteOrder(keys: readonly string[]): string[] {
  return [...putOrder(keys)].reverse();
}

/** A stored bundle with the content the restore would put: bundles are named by the SHA-256 of their bytes, the fs engine's etag. */
function sameBundle(key: string, stored: ObjectInfo, incoming: DumpedObject | undefined): boolean {
  return key.startsWith(BUNDLES) && incoming !== undefined && stored.size === incoming.size && stored.etag === `"${key.slice(BUNDLES.length)}"`;
}

async function keepAside(storage: Storage, key: string, file: string): Promise<void> {
  const object = await storage.get(key);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await pipeline(object.body, createWriteStream(file, { mode: 0o600 }));
}

/** Replaces one site's objects in storage with the dumped ones (none: the site is removed). */
async function replaceSite(storage: Storage, site: string, dir: string, objects: Readonly<Record<string, DumpedObject>>, previousDir: string): Promise<void> {
  const root = siteKeys(site).root;
  const stored = new Map<string, ObjectInfo>();
  for await (const info of storage.list(root)) stored.set(info.key.slice(root.length), info);
  for (const [key, info] of stored) {
    if (!sameBundle(key, info, objects[key])) await keepAside(storage, `${root}${key}`, join(previousDir, RELEASES_DIR, site, ...key.split('/')));
  }
  for (const key of putOrder(Object.keys(objects))) {
    const stay = stored.get(key);
    if (stay && sameBundle(key, stay, objects[key])) continue;
    const { contentType, cacheControl, metadata } = objects[key]!;
    await storage.put(`${root}${key}`, createReadStream(join(dir, ...key.split('/'))), {
      ...(contentType === undefined ? {} : { contentType }),
      ...(cacheControl === undefined ? {} : { cacheControl }),
      ...(metadata === undefined ? {} : { metadata }),
    });
  }
  const gone = deleteOrder([...stored.keys()].filter((key) => !Object.hasOwn(objects, key)));
  await storage.delete(gone.map((key) => `${root}${key}`));
}

/**
 * `state.load` of the git plugin. A dump without `releases.json` (taken before releases were
 * backed up) or from a bucket leaves storage untouched.
 */
export async function loadReleases(dir: string, owner: StateOwner): Promise<void> {
  const index = await readIndex(dir);
  if (!index || index.storage !== 'fs') return;
  const dumped = join(dir, RELEASES_DIR);
  for (const [site, objects] of Object.entries(index.sites)) await checkSite(join(dumped, site), site, objects);
  const logger = owner.logger;
  const storage = createStorage(owner.host.storage, logger);
  try {
    const previousDir = owner.previousDir ?? defaultPreviousDir(owner);
    const sites = new Set([...Object.keys(index.sites), ...(await storedSites(storage))]);
    for (const site of [...sites].sort()) await replaceSite(storage, site, join(dumped, site), Object.hasOwn(index.sites, site) ? index.sites[site]! : {}, previousDir);
    logger.info({ sites: Object.keys(index.sites).length }, 'restored the releases of the sites');
  } finally {
    await storage.close();
  }
}
