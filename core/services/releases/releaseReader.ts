/**
 * Reading deployed sites (see releaseLayout.ts): which release is live, its files, and a file's
 * content. A server resolves the live release once per request (or caches it by live.json's etag)
 * and serves every path of that request from it.
 */
import { Readable } from 'node:stream';
import { isHearthError } from '../../errors/HearthError.js';
import type { ByteRange, GetResult, Storage } from '../storage/storage.js';
import { resolveByteRange } from '../storage/byteRange.js';
import { checkLivePointer, checkManifest, releaseSequence, siteKeys, type LivePointer, type ReleaseFile, type ReleaseManifest } from './releaseLayout.js';

/** Largest manifest or pointer read into memory, in bytes (a 100,000-file site is about 20 MB). */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** The live pointer of a site, or undefined before its first deploy. */
export async function readLivePointer(storage: Storage, site: string): Promise<LivePointer | undefined> {
  const key = siteKeys(site).live;
  const json = await readJson(storage, key);
  return json === undefined ? undefined : checkLivePointer(json, key);
}

/** The live release of a site, or undefined before its first deploy. */
export async function readLiveRelease(storage: Storage, site: string): Promise<ReleaseManifest | undefined> {
  const pointer = await readLivePointer(storage, site);
  if (!pointer) return undefined;
  const release = await readRelease(storage, site, pointer.release);
  if (!release) throw new Error(`${siteKeys(site).live} points to release ${pointer.release}, which is missing`);
  return release;
}

/** One release by id, or undefined when it is not kept. */
export async function readRelease(storage: Storage, site: string, id: string): Promise<ReleaseManifest | undefined> {
  if (releaseSequence(id) === undefined) return undefined;
  const key = siteKeys(site).release(id);
  const json = await readJson(storage, key);
  return json === undefined ? undefined : checkManifest(json, key);
}

/** The ids of every kept release of a site, oldest first. */
export async function listReleaseIds(storage: Storage, site: string): Promise<string[]> {
  const prefix = siteKeys(site).releases;
  const ids: string[] = [];
  for await (const info of storage.list(prefix)) {
    const id = info.key.slice(prefix.length).replace(/\.json$/, '');
    if (releaseSequence(id) !== undefined && info.key.endsWith('.json')) ids.push(id);
  }
  return ids.sort((a, b) => (releaseSequence(a) ?? 0) - (releaseSequence(b) ?? 0));
}

/** Every kept release of a site, oldest first. */
export async function listReleases(storage: Storage, site: string): Promise<ReleaseManifest[]> {
  const releases: ReleaseManifest[] = [];
  for (const id of await listReleaseIds(storage, site)) {
    const release = await readRelease(storage, site, id);
    if (release) releases.push(release);
  }
  return releases;
}

/**
 * The file a request path names in a release, or undefined. Leading slashes are ignored; the path
 * is looked up as-is (no `..` resolution — a manifest never holds such paths).
 */
export function lookupFile(release: ReleaseManifest, path: string): ReleaseFile | undefined {
  const relative = path.replace(/^\/+/, '');
  return Object.hasOwn(release.files, relative) ? release.files[relative] : undefined;
}

/** A file's content, as served from one release. */
export interface OpenedFile {
  readonly path: string;
  readonly file: ReleaseFile;
  /** The content (or the range asked for). Consume or destroy it. */
  readonly body: Readable;
  /** The range returned, relative to the file, when one was asked for. */
  readonly range?: { readonly start: number; readonly end: number };
}

/**
 * Opens a file of a release, or returns undefined when the release has no such path. A range is
 * relative to the file, resolved as HTTP does (an end past the file is cut; a start at or past
 * its end throws HEARTH_ERR_STORAGE_BAD_RANGE).
 */
export async function openFile(storage: Storage, release: ReleaseManifest, path: string, options: { readonly range?: ByteRange } = {}): Promise<OpenedFile | undefined> {
  const file = lookupFile(release, path);
  if (!file) return undefined;
  const relative = path.replace(/^\/+/, '');
  const range = options.range ? resolveByteRange(relative, options.range, file.size) : undefined;
  if (file.size === 0) return { path: relative, file, body: Readable.from([]) };
  const start = file.offset + (range?.start ?? 0);
  const end = file.offset + (range?.end ?? file.size - 1);
  const result = await storage.get(siteKeys(release.site).bundle(file.bundle), { range: { start, end } });
  return { path: relative, file, body: result.body, ...(range ? { range } : {}) };
}

/** Reads a small JSON object, or undefined when the key is absent. */
async function readJson(storage: Storage, key: string): Promise<unknown> {
  let result: GetResult;
  try {
    result = await storage.get(key);
  } catch (error) {
    if (isHearthError(error, 'HEARTH_ERR_STORAGE_NOT_FOUND')) return undefined;
    throw error;
  }
  if (result.size > MAX_JSON_BYTES) {
    result.body.destroy();
    throw new Error(`${key} is ${result.size} bytes, more than the ${MAX_JSON_BYTES} a release file may have`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of result.body) chunks.push(Buffer.from(chunk as Uint8Array));
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error) {
    throw new Error(`${key} is not valid JSON`, { cause: error });
  }
}
