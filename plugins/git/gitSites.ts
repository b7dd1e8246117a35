/**
 * The sites the git plugin serves: every site of the host file, with its `sites.<site>.git`
 * settings (defaults when it has none) and its bare repository under `<dataDir>/repos/`.
 */
import { join } from 'node:path';
import type { SiteConfig } from '../../core/config/types.js';
import { resolveSiteConfig, type GitSiteConfig } from './config.js';
import { BareRepo } from './repo/bareRepo.js';
import { refNameProblem } from './protocol/refName.js';

/** One site as the git plugin sees it. */
export interface GitSite {
  readonly name: string;
  readonly config: GitSiteConfig;
  /** `refs/heads/<branch>`: pushes to it deploy. */
  readonly deployRef: string;
  readonly repo: BareRepo;
}

/** Where the repositories live, relative to the plugin's data directory (declared as state). */
export const REPOS_DIR = 'repos';
/** Where lock files live, relative to the plugin's data directory (not state: locks die with processes). */
export const LOCKS_DIR = 'locks';

/** The sites, their settings and repositories. */
export class GitSites {
  readonly #dataDir: string;
  readonly #configs = new Map<string, GitSiteConfig>();
  readonly #opened = new Map<string, Promise<GitSite>>();

  /**
   * `sites` is the host file's site list; `pluginSites` the per-site git settings the host
   * validated (a site missing there gets the defaults). Throws a TypeError for a bad branch name
   * or a build output outside the repository.
   */
  constructor(dataDir: string, sites: Readonly<Record<string, SiteConfig>>, pluginSites: ReadonlyMap<string, unknown>) {
    this.#dataDir = dataDir;
    for (const name of Object.keys(sites)) {
      const config = resolveSiteConfig(pluginSites.get(name) ?? sites[name]?.plugins['git']);
      const problem = refNameProblem(`refs/heads/${config.branch}`);
      if (problem) throw new TypeError(`sites.${name}.git.branch '${config.branch}' is not a valid branch name: ${problem}`);
      const output = config.build?.output;
      if (output !== undefined && (output.startsWith('/') || output.split('/').includes('..'))) {
        throw new TypeError(`sites.${name}.git.build.output '${output}' must be a path inside the repository (relative, without '..')`);
      }
      this.#configs.set(name, config);
    }
  }

  /** Site names, sorted. */
  names(): string[] {
    return [...this.#configs.keys()].sort();
  }

  /** A site's git settings, or undefined for an unknown site. */
  config(name: string): GitSiteConfig | undefined {
    return this.#configs.get(name);
  }

  /** The repository directory of a site. */
  repoDir(name: string): string {
    return join(this.#dataDir, REPOS_DIR, `${name}.git`);
  }

  /** Opens (creating on first use) a known site's repository; undefined for an unknown site. */
  open(name: string): Promise<GitSite> | undefined {
    const config = this.#configs.get(name);
    if (!config) return undefined;
    let opened = this.#opened.get(name);
    if (!opened) {
      // The first open in this process clears quarantines a crash left: no push of ours is running yet.
      opened = BareRepo.open(this.repoDir(name), config.branch, true).then((repo) => ({ name, config, deployRef: `refs/heads/${config.branch}`, repo }));
      opened.catch(() => this.#opened.delete(name));
      this.#opened.set(name, opened);
    }
    return opened;
  }
}
