/**
 * Publishing a release (see releaseLayout.ts), in the order that keeps readers safe:
 * 1. upload, in bundles, the blobs no kept release has yet (invisible until referenced);
 * 2. write the new manifest;
 * 3. switch live.json to it — the one atomic step readers observe;
 * 4. prune releases beyond the newest `keep` (never the live one) and delete bundles no kept
 *    release references.
 * A failure before step 3 leaves the live site untouched and removes what this publish uploaded.
 * Callers serialise writers per site; readers need no lock.
 */
import type { Storage } from '../storage/storage.js';
import { listReleases, readLivePointer } from './releaseReader.js';
import { RELEASE_FORMAT, releaseId, releaseSequence, siteKeys, type LivePointer, type ReleaseFile, type ReleaseManifest } from './releaseLayout.js';
import { collectGarbage } from './releaseGarbage.js';
import { blobsToUpload, uploadBundles, type BlobLocation } from './releaseBundles.js';

/** One file of a release to publish; its size is learnt when its blob is read or already known. */
export interface FileToPublish {
  readonly path: string;
  readonly blob: string;
  readonly mode: ReleaseFile['mode'];
  readonly contentType: string;
  readonly cacheControl?: string;
}

/** What a release is made of. */
export interface ReleaseToPublish {
  readonly site: string;
  readonly commit: string;
  readonly branch: string;
  readonly author: ReleaseManifest['author'];
  readonly subject: string;
  readonly committedAt: Date;
  readonly built: boolean;
  readonly files: readonly FileToPublish[];
  /** Reads a blob's content; called once per blob to upload, in path order. Throw to abort. */
  readBlob(blob: string): Promise<Buffer>;
}

/** Options of {@link publishRelease}. */
export interface PublishOptions {
  /** Releases kept, the new one included (at least 2, so the previous release stays readable). */
  readonly keep: number;
  readonly now: Date;
  /** Bundle uploads at a time. */
  readonly concurrency: number;
}

/** What a publish did. */
export interface PublishResult {
  readonly release: ReleaseManifest;
  readonly previous?: string;
  /** Blobs uploaded (new, or moved out of a mostly dead bundle), in how many bundles, how many bytes. */
  readonly uploadedBlobs: number;
  readonly uploadedBundles: number;
  readonly uploadedBytes: number;
  readonly prunedReleases: number;
  readonly deletedBundles: number;
  /** Set when pruning or blob deletion failed after the switch (the release is live regardless). */
  readonly garbageError?: unknown;
}

/** Publishes a release and makes it live. */
export async function publishRelease(storage: Storage, input: ReleaseToPublish, options: PublishOptions): Promise<PublishResult> {
  const keys = siteKeys(input.site);
  const kept = await listReleases(storage, input.site);
  const previous = await readLivePointer(storage, input.site);
  const known = new Map<string, BlobLocation>();
  const bundleSizes = new Map<string, number>();
  for (const release of kept) {
    for (const [bundle, size] of Object.entries(release.bundles)) bundleSizes.set(bundle, size);
    for (const file of Object.values(release.files)) known.set(file.blob, { bundle: file.bundle, offset: file.offset, size: file.size });
  }
  // Path order puts a directory's files in the same bundle.
  const ordered = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const missing = blobsToUpload(ordered.map((file) => file.blob), known, bundleSizes);
  const sequence = Math.max(0, ...kept.map((release) => releaseSequence(release.id) ?? 0)) + 1;
  const id = releaseId(sequence, input.commit);
  const written: string[] = [];
  try {
    const upload = await uploadBundles(storage, input.site, missing, input.readBlob, options.concurrency, (key) => written.push(key));
    for (const [blob, location] of upload.locations) known.set(blob, location);
    for (const [bundle, size] of upload.bundles) bundleSizes.set(bundle, size);
    const files: Record<string, ReleaseFile> = {};
    const bundles: Record<string, number> = {};
    let bytes = 0;
    for (const file of ordered) {
      const location = known.get(file.blob);
      if (!location) throw new Error(`blob ${file.blob} of ${JSON.stringify(file.path)} was neither stored nor uploaded`);
      bytes += location.size;
      bundles[location.bundle] = bundleSizes.get(location.bundle) ?? 0;
      files[file.path] = { blob: file.blob, bundle: location.bundle, offset: location.offset, size: location.size, mode: file.mode, contentType: file.contentType, ...(file.cacheControl ? { cacheControl: file.cacheControl } : {}) };
    }
    const release: ReleaseManifest = {
      format: RELEASE_FORMAT, site: input.site, id, commit: input.commit, branch: input.branch, author: input.author,
      subject: input.subject, committedAt: input.committedAt.toISOString(), deployedAt: options.now.toISOString(),
      built: input.built, fileCount: ordered.length, bytes, files, bundles,
    };
    written.push(keys.release(id));
    await storage.put(keys.release(id), JSON.stringify(release), { contentType: 'application/json' });
    await switchLive(storage, release, options.now);
    // The release is live: a failed clean-up must not turn the deploy into a failure; the next
    // publish collects what this one left.
    const garbage = await collectGarbage(storage, input.site, options.keep, [...kept, release]).catch((error: unknown) => ({ prunedReleases: 0, deletedBundles: 0, garbageError: error }));
    return {
      release, ...(previous ? { previous: previous.release } : {}),
      uploadedBlobs: upload.locations.size, uploadedBundles: upload.bundles.size, uploadedBytes: upload.bytes, ...garbage,
    };
  } catch (error) {
    if ((await readLivePointer(storage, input.site).catch(() => undefined))?.release !== id) {
      // Nothing went live: take back what this publish added, so a failed deploy leaves no trace.
      await storage.delete(written).catch(() => undefined);
    }
    throw error;
  }
}

/** Makes a kept release live with one atomic put of live.json. */
export async function switchLive(storage: Storage, release: ReleaseManifest, now: Date): Promise<LivePointer> {
  const pointer: LivePointer = { format: RELEASE_FORMAT, release: release.id, commit: release.commit, switchedAt: now.toISOString() };
  await storage.put(siteKeys(release.site).live, JSON.stringify(pointer), { contentType: 'application/json', cacheControl: 'no-cache' });
  return pointer;
}
