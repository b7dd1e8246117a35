/**
 * Rollback and the deploy history: switching a site's live release back to a kept one, under the
 * site's lock so it never interleaves with a deploy. The repository is untouched — the branch
 * keeps its commits, and the next push deploys as usual.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import type { Storage } from '../../../core/services/storage/storage.js';
import { listReleases, readLivePointer } from '../../../core/services/releases/releaseReader.js';
import { switchLive } from '../../../core/services/releases/releaseWriter.js';
import type { ReleaseManifest } from '../../../core/services/releases/releaseLayout.js';
import { SiteLocks } from '../repo/siteLock.js';

/** Longest wait, in milliseconds, for a deploy in progress to finish before a rollback gives up. */
const ROLLBACK_LOCK_WAIT_MS = 60_000;

/** A kept release and whether it is live. */
export interface DeployRecord {
  readonly release: ReleaseManifest;
  readonly live: boolean;
}

/** The kept releases of a site, newest first. */
export async function deployHistory(storage: Storage, site: string): Promise<DeployRecord[]> {
  const live = await readLivePointer(storage, site);
  const releases = await listReleases(storage, site);
  return releases.reverse().map((release) => ({ release, live: release.id === live?.release }));
}

/** What a rollback did. */
export interface RollbackResult {
  readonly from?: ReleaseManifest;
  readonly to: ReleaseManifest;
}

/**
 * Makes an earlier release live: the newest kept release whose commit starts with `target` (at
 * least 4 hex digits) or whose id is `target`; without `target`, the release deployed before the
 * live one. Throws HEARTH_ERR_GIT_NO_RELEASE when there is none.
 */
export async function rollbackSite(storage: Storage, locksDir: string, site: string, target: string | undefined, now: () => Date): Promise<RollbackResult> {
  return new SiteLocks(locksDir).withLock(site, ROLLBACK_LOCK_WAIT_MS, async () => {
    const history = await deployHistory(storage, site);
    if (history.length === 0) throw new HearthError('HEARTH_ERR_GIT_NO_RELEASE', `site '${site}' has no deployed release; push to it first`);
    const liveIndex = history.findIndex((record) => record.live);
    const from = liveIndex >= 0 ? history[liveIndex]?.release : undefined;
    let to: ReleaseManifest | undefined;
    if (target === undefined) {
      to = history[liveIndex + 1]?.release;
      if (!to) throw new HearthError('HEARTH_ERR_GIT_NO_RELEASE', `site '${site}' has no release older than the live one (${from?.id ?? 'none'}) kept; name a commit from 'hearth git deploys ${site}'`);
    } else {
      const wanted = target.toLowerCase();
      if (!/^[0-9a-f]{4,40}$/.test(wanted) && !/^\d{6,}-[0-9a-f]{40}$/.test(wanted)) {
        throw new HearthError('HEARTH_ERR_GIT_NO_RELEASE', `'${target}' is neither a commit (4 to 40 hex digits) nor a release id`);
      }
      to = history.find((record) => record.release.id === wanted || record.release.commit.startsWith(wanted))?.release;
      if (!to) throw new HearthError('HEARTH_ERR_GIT_NO_RELEASE', `site '${site}' has no kept release of commit '${target}'; see 'hearth git deploys ${site}'`);
    }
    await switchLive(storage, to, now());
    return { ...(from ? { from } : {}), to };
  });
}
