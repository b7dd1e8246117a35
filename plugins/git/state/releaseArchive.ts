/**
 * The deployed releases as part of the git plugin's backed-up state. A site is its repository
 * (`repos/`, copied as files) and its releases in storage (live pointer, manifests, bundles; see
 * docs/releases.md). On a host whose storage is a directory both live on this machine, so both go
 * into the snapshot: the dump writes every object under `sites/` into the dump directory, and the
 * load writes them back. A bucket is already off the machine: its releases stay where they are.
 *
 * The dump directory:
 *
 * ```
 * releases.json                     {format, storage, sites: {<site>: {<key below sites/<site>/>: {size, contentType, ...}}}}
 * releases/<site>/live.json         the objects themselves, at their key below sites/<site>/
 * releases/<site>/releases/<id>.json
 * releases/<site>/bundles/<id>
 * ```
 */
import type { Storage } from '../../../core/services/storage/storage.js';

/** The index file of a releases dump. */
export const RELEASES_INDEX = 'releases.json';
/** The folder holding the dumped objects, one folder per site. */
export const RELEASES_DIR = 'releases';
/** The index format this code writes and reads. */
export const RELEASES_DUMP_FORMAT = 1;
/** The storage prefix of every site. */
export const SITES_PREFIX = 'sites/';

/** What a dump keeps of one object besides its bytes: what its `put` was given. */
export interface DumpedObject {
  readonly size: number;
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** `releases.json`. */
export interface ReleasesIndex {
  readonly format: typeof RELEASES_DUMP_FORMAT;
  /**
   * The engine of the storage the dump was taken from. `fs`: every site's objects are in the dump.
   * `s3`: none are (they stay in the bucket), and a load leaves storage as it is.
   */
  readonly storage: 'fs' | 's3';
  /** Site -> key below `sites/<site>/` -> object. */
  readonly sites: Readonly<Record<string, Readonly<Record<string, DumpedObject>>>>;
}

/** The sites with at least one object in storage, sorted. */
export async function storedSites(storage: Storage): Promise<string[]> {
  const sites = new Set<string>();
  for await (const info of storage.list(SITES_PREFIX)) {
    const site = info.key.slice(SITES_PREFIX.length).split('/', 1)[0];
    if (site) sites.add(site);
  }
  return [...sites].sort();
}
