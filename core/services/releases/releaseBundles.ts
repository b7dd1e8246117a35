/**
 * Bundles: how a publish turns new blobs into few storage objects. Blobs are appended in path
 * order to a bundle until it reaches {@link BUNDLE_TARGET_BYTES}; a larger blob gets a bundle of
 * its own. Bundles upload while the next one is being filled. A bundle a release still uses for
 * only a sliver of its bytes is compacted: those blobs are uploaded again into the new release's
 * bundles, so dead bytes kept alive by one small file stay bounded.
 */
import type { Storage } from '../storage/storage.js';
import { bundleIdOf, siteKeys } from './releaseLayout.js';

/** Bytes a bundle is filled to before it is uploaded: few puts, little memory, cheap range reads. */
export const BUNDLE_TARGET_BYTES = 8 * 1024 * 1024;
/** A bundle at least this large (bytes) is compacted when a release uses under a quarter of it. */
export const COMPACT_MIN_BUNDLE_BYTES = 1024 * 1024;

/** Where a blob's content is. */
export interface BlobLocation {
  readonly bundle: string;
  readonly offset: number;
  readonly size: number;
}

/** What a set of uploads produced. */
export interface UploadedBundles {
  readonly locations: ReadonlyMap<string, BlobLocation>;
  /** Bundle id -> size, for every bundle uploaded. */
  readonly bundles: ReadonlyMap<string, number>;
  readonly bytes: number;
}

/**
 * The blobs a release must upload: those no kept release stores, plus those whose bundle would
 * be more than three quarters dead weight for this release.
 */
export function blobsToUpload(blobs: Iterable<string>, known: ReadonlyMap<string, BlobLocation>, bundleSizes: ReadonlyMap<string, number>): string[] {
  const upload = new Set<string>();
  const liveBytes = new Map<string, number>();
  const byBundle = new Map<string, string[]>();
  for (const blob of new Set(blobs)) {
    const location = known.get(blob);
    if (!location) {
      upload.add(blob);
      continue;
    }
    liveBytes.set(location.bundle, (liveBytes.get(location.bundle) ?? 0) + location.size);
    const sharing = byBundle.get(location.bundle);
    if (sharing) sharing.push(blob);
    else byBundle.set(location.bundle, [blob]);
  }
  for (const [bundle, live] of liveBytes) {
    const size = bundleSizes.get(bundle) ?? 0;
    if (size >= COMPACT_MIN_BUNDLE_BYTES && live * 4 < size) for (const blob of byBundle.get(bundle) ?? []) upload.add(blob);
  }
  return [...upload];
}

/**
 * Reads `blobs` in order, packs them into bundles and uploads them, up to `concurrency` at a
 * time. `uploaded` is told each bundle key as soon as it is stored, so a failed publish can
 * remove what it wrote.
 */
export async function uploadBundles(
  storage: Storage,
  site: string,
  blobs: readonly string[],
  readBlob: (blob: string) => Promise<Buffer>,
  concurrency: number,
  uploaded: (key: string) => void,
): Promise<UploadedBundles> {
  const keys = siteKeys(site);
  const locations = new Map<string, BlobLocation>();
  const bundles = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let parts: { blob: string; content: Buffer }[] = [];
  let filled = 0;
  let bytes = 0;

  const flush = async (): Promise<void> => {
    if (parts.length === 0) return;
    const content = Buffer.concat(parts.map((part) => part.content));
    const id = bundleIdOf(content);
    let offset = 0;
    for (const part of parts) {
      locations.set(part.blob, { bundle: id, offset, size: part.content.length });
      offset += part.content.length;
    }
    bundles.set(id, content.length);
    bytes += content.length;
    parts = [];
    filled = 0;
    const upload = storage.put(keys.bundle(id), content, { contentType: 'application/octet-stream' }).then(
      () => uploaded(keys.bundle(id)),
      (error: unknown) => {
        failure ??= error;
      },
    );
    const tracked: Promise<void> = upload.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
  };

  try {
    for (const blob of blobs) {
      if (failure !== undefined) break;
      const content = await readBlob(blob);
      if (filled > 0 && filled + content.length > BUNDLE_TARGET_BYTES) await flush();
      parts.push({ blob, content });
      filled += content.length;
      if (filled >= BUNDLE_TARGET_BYTES) await flush();
    }
    if (failure === undefined) await flush();
  } finally {
    // Even when reading failed: every put in flight settles before the caller cleans up.
    await Promise.all(inFlight);
  }
  if (failure !== undefined) throw failure;
  return { locations, bundles, bytes };
}
