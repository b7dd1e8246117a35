/**
 * Which release of each site is live, cached. A request takes the cached release while it was
 * checked less than `revalidateMs` ago; otherwise one check (shared by every request waiting)
 * heads the site's live pointer and, only when its etag changed, reads the pointer and — for a new
 * release id — its manifest. The git plugin deploys by switching that pointer with one put, so a
 * deploy shows within `revalidateMs`, and a request always holds one whole release.
 * When storage fails, the last known release keeps being served.
 * A release's Last-Modified is when it became live, not when it was deployed: a rollback makes an
 * older release live again, and a date that went back would have clients that only send
 * If-Modified-Since keep the release rolled back from.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { Storage } from '../../../core/services/storage/storage.js';
import { readLivePointer, readRelease } from '../../../core/services/releases/releaseReader.js';
import { siteKeys, type LivePointer, type ReleaseManifest } from '../../../core/services/releases/releaseLayout.js';
import { wholeSeconds } from '../http/httpDate.js';
import { ServedRelease, type PathRules } from './servedRelease.js';

/** Returned by {@link LiveReleases.cached} when the site must be checked first. */
export const STALE = Symbol('stale');

/** How a check of a live pointer ended, as counted in metrics. */
export type LiveCheck = 'unchanged' | 'switched' | 'failed';

interface SiteEntry {
  readonly keys: ReturnType<typeof siteKeys>;
  release: ServedRelease | undefined;
  etag: string | undefined;
  /** performance.now() of the last check; -Infinity before the first. */
  checkedAt: number;
  loaded: boolean;
  /** The last failure while nothing was loaded, so requests do not hammer a storage that is down. */
  failure: { readonly at: number; readonly error: HearthError } | undefined;
  checking: Promise<ServedRelease | undefined> | undefined;
}

/** What {@link LiveReleases} needs. */
export interface LiveReleaseOptions {
  readonly storage: Storage;
  readonly revalidateMs: number;
  readonly rules: (site: string) => PathRules;
  readonly logger: Logger;
  readonly observe?: (site: string, check: LiveCheck) => void;
}

/** The live release of every site, cached and revalidated. */
export class LiveReleases {
  readonly #options: LiveReleaseOptions;
  readonly #sites = new Map<string, SiteEntry>();

  constructor(options: LiveReleaseOptions) {
    this.#options = options;
  }

  #entry(site: string): SiteEntry {
    let entry = this.#sites.get(site);
    if (entry === undefined) {
      entry = { keys: siteKeys(site), release: undefined, etag: undefined, checkedAt: -Infinity, loaded: false, failure: undefined, checking: undefined };
      this.#sites.set(site, entry);
    }
    return entry;
  }

  /** The cached live release (undefined: nothing deployed) when fresh, else {@link STALE}. Never waits. */
  cached(site: string): ServedRelease | undefined | typeof STALE {
    const entry = this.#sites.get(site);
    if (entry === undefined || !entry.loaded || performance.now() - entry.checkedAt >= this.#options.revalidateMs) return STALE;
    return entry.release;
  }

  /**
   * Checks the site's live pointer and returns its release. With `force`, a check starts after any
   * one in flight (which may predate what the caller saw). Throws HEARTH_ERR_EDGE_RELEASE when
   * storage fails before any release of the site was ever read.
   */
  async current(site: string, force = false): Promise<ServedRelease | undefined> {
    const entry = this.#entry(site);
    if (entry.checking !== undefined) {
      const shared = entry.checking;
      if (!force) return shared;
      await shared.catch(() => undefined);
      if (entry.checking !== undefined) return entry.checking;
    }
    if (!force && entry.loaded && performance.now() - entry.checkedAt < this.#options.revalidateMs) return entry.release;
    if (!force && entry.failure !== undefined && performance.now() - entry.failure.at < this.#options.revalidateMs) throw entry.failure.error;
    const checking = this.#check(site, entry).finally(() => {
      entry.checking = undefined;
    });
    entry.checking = checking;
    return checking;
  }

  async #check(site: string, entry: SiteEntry): Promise<ServedRelease | undefined> {
    const { storage, observe } = this.#options;
    try {
      const info = await storage.head(entry.keys.live);
      let result: LiveCheck = 'unchanged';
      if (info === undefined) {
        result = entry.release === undefined ? 'unchanged' : 'switched';
        entry.release = undefined;
        entry.etag = undefined;
      } else if (info.etag !== entry.etag || entry.release === undefined) {
        const pointer = await readLivePointer(storage, site);
        if (pointer === undefined) entry.release = undefined;
        else if (entry.release?.id !== pointer.release) {
          const manifest = await readRelease(storage, site, pointer.release);
          if (manifest === undefined) throw new Error(`${entry.keys.live} points to release ${pointer.release}, which is missing`);
          entry.release = new ServedRelease(manifest, this.#options.rules(site), liveSinceMs(pointer, manifest, entry.release));
          result = 'switched';
        }
        entry.etag = info.etag;
      }
      entry.checkedAt = performance.now();
      entry.loaded = true;
      entry.failure = undefined;
      observe?.(site, result);
      return entry.release;
    } catch (error) {
      observe?.(site, 'failed');
      if (entry.loaded) {
        // Keep serving what was live; try again after the usual interval.
        entry.checkedAt = performance.now();
        this.#options.logger.warn({ site, err: error }, 'edge: cannot check the live release; serving the last one read');
        return entry.release;
      }
      const failure = new HearthError('HEARTH_ERR_EDGE_RELEASE', `the live release of site '${site}' cannot be read from storage; check the storage settings and that the bucket or directory is reachable`, { cause: error });
      entry.failure = { at: performance.now(), error: failure };
      throw failure;
    }
  }
}

/**
 * The Last-Modified of a release that just became live, replacing `previous`: when its pointer was
 * switched (`switchedAt`; the deploy time for a pointer without one), no later than this edge's
 * clock, and always in a later second than `previous` had — so it never moves back, even when
 * another host's clock is behind or two switches fall within one second.
 */
function liveSinceMs(pointer: LivePointer, manifest: ReleaseManifest, previous: ServedRelease | undefined): number {
  const switched = typeof pointer.switchedAt === 'string' ? Date.parse(pointer.switchedAt) : Number.NaN;
  const deployed = Date.parse(manifest.deployedAt);
  const since = Math.min(Number.isNaN(switched) ? (Number.isNaN(deployed) ? 0 : deployed) : switched, Date.now());
  if (previous === undefined || wholeSeconds(since) > wholeSeconds(previous.lastModifiedMs)) return since;
  return wholeSeconds(previous.lastModifiedMs) + 1000;
}
