/**
 * The branches and tags of every site's repository, read under the site's lock when a backup
 * starts (`refs.json` in the git plugin's dump). The repositories themselves are copied as files
 * afterwards, outside the lock, so a push landing during the copy can leave copied refs naming
 * objects the copy lacks. A restore writes these refs back over the copied ones: the repository
 * comes back as it was when its refs were read, and every object they name was on disk before the
 * copy began (a push stores its objects before it moves a ref, and nothing deletes objects).
 * A snapshot from before the refs were dumped restores the copied refs as they are.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateOwner } from '../../../core/plugin/definition.js';
import { LOCKS_DIR, REPO_SUFFIX, REPOS_DIR, repoDirOf } from '../gitSites.js';
import { RefStore, type RefEntry } from '../repo/refStore.js';
import { SiteLocks } from '../repo/siteLock.js';
import { DUMP_LOCK_WAIT_MS } from './releaseDump.js';

/** The dump's refs file. */
export const REFS_INDEX = 'refs.json';
const REFS_DUMP_FORMAT = 1;

interface RefsDump {
  readonly format: number;
  /** Site -> its branches and tags. */
  readonly sites: Readonly<Record<string, readonly RefEntry[]>>;
}

/** The sites that have a repository under the plugin's data directory. */
async function repositorySites(dataDir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(dataDir, REPOS_DIR), { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && entry.name.endsWith(REPO_SUFFIX)).map((entry) => entry.name.slice(0, -REPO_SUFFIX.length)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Writes `refs.json`: every repository's refs, each read under its site's lock. */
export async function dumpRefs(dir: string, owner: StateOwner): Promise<void> {
  const locks = new SiteLocks(join(owner.dataDir, LOCKS_DIR));
  const sites: Record<string, readonly RefEntry[]> = {};
  for (const site of await repositorySites(owner.dataDir)) {
    sites[site] = await locks.withLock(site, DUMP_LOCK_WAIT_MS, () => new RefStore(repoDirOf(owner.dataDir, site)).list());
  }
  const dump: RefsDump = { format: REFS_DUMP_FORMAT, sites };
  await writeFile(join(dir, REFS_INDEX), JSON.stringify(dump));
}

/** Puts every restored repository's refs back to what `refs.json` recorded. */
export async function loadRefs(dir: string, owner: StateOwner): Promise<void> {
  let text: string;
  try {
    text = await readFile(join(dir, REFS_INDEX), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const dump = JSON.parse(text) as RefsDump;
  if (dump.format !== REFS_DUMP_FORMAT) throw new Error(`${REFS_INDEX} is of format ${dump.format}, which this version cannot read`);
  for (const [site, refs] of Object.entries(dump.sites)) {
    const gitdir = repoDirOf(owner.dataDir, site);
    if (!(await stat(gitdir).then((info) => info.isDirectory(), () => false))) continue;
    const store = new RefStore(gitdir);
    const wanted = new Map(refs.map((ref) => [ref.name, ref.oid]));
    for (const current of await store.list()) {
      if (!wanted.has(current.name)) await store.delete(current.name);
      else if (wanted.get(current.name) === current.oid) wanted.delete(current.name);
    }
    for (const [name, oid] of wanted) await store.write(name, oid);
  }
}
