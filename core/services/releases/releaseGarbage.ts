/**
 * Retention of releases: the newest `keep` releases and the live one stay; older manifests are
 * deleted, then every bundle no remaining manifest references. Runs after a live switch, with the
 * site's writer lock held, so no publish is uploading bundles it has not referenced yet.
 */
import type { Storage } from '../storage/storage.js';
import { listReleaseIds, readLivePointer, readRelease } from './releaseReader.js';
import { isBundleId, siteKeys, type ReleaseManifest } from './releaseLayout.js';

/** What a collection removed. */
export interface GarbageResult {
  readonly prunedReleases: number;
  readonly deletedBundles: number;
}

/** Fewest releases kept: the live one and the one before, so a reader holding the old manifest can finish. */
export const MIN_RELEASES_KEPT = 2;

/**
 * Deletes releases beyond the newest `keep` (never the live one) and unreferenced bundles.
 * `known` are manifests the caller already read (by id), so they are not read again.
 */
export async function collectGarbage(storage: Storage, site: string, keep: number, known: readonly ReleaseManifest[] = []): Promise<GarbageResult> {
  const keys = siteKeys(site);
  const live = await readLivePointer(storage, site);
  const ids = await listReleaseIds(storage, site);
  const kept = new Set(ids.slice(-Math.max(keep, MIN_RELEASES_KEPT)));
  if (live) kept.add(live.release);
  const pruned = ids.filter((id) => !kept.has(id));
  await storage.delete(pruned.map((id) => keys.release(id)));

  const referenced = new Set<string>();
  const byId = new Map(known.map((release) => [release.id, release]));
  for (const id of kept) {
    const release = byId.get(id) ?? (await readRelease(storage, site, id));
    if (release) for (const bundle of Object.keys(release.bundles)) referenced.add(bundle);
  }
  const unreferenced: string[] = [];
  for await (const info of storage.list(keys.bundles)) {
    const bundle = info.key.slice(keys.bundles.length);
    if (isBundleId(bundle) && !referenced.has(bundle)) unreferenced.push(info.key);
  }
  // Bounded batches: S3's DeleteObjects takes at most 1,000 keys.
  for (let start = 0; start < unreferenced.length; start += 1000) {
    await storage.delete(unreferenced.slice(start, start + 1000));
  }
  return { prunedReleases: pruned.length, deletedBundles: unreferenced.length };
}
