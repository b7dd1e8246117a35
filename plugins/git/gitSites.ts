/**
 * The sites the git plugin serves: every site of the host file, with its `sites.<site>.git`
 * settings (defaults when it has none) and its bare repository under `<dataDir>/repos/`.
 */
import { join } from 'node:path';
import type { SiteConfig } from '../../core/config/types.js';
import { throwConfigProblems } from '../../core/plugin/configProblems.js';
import type { PluginConfigProblem } from '../../core/plugin/definition.js';
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
/** A site's repository is `<REPOS_DIR>/<site><REPO_SUFFIX>`. */
export const REPO_SUFFIX = '.git';

/** The repository directory of a site, under the git plugin's data directory. */
export function repoDirOf(dataDir: string, site: string): string {
  return join(dataDir, REPOS_DIR, `${site}${REPO_SUFFIX}`);
}
/** Where lock files live, relative to the plugin's data directory (not state: locks die with processes). */
export const LOCKS_DIR = 'locks';

/** What the schema cannot check in a site's git settings: the branch is a branch name, the build output stays inside the repository. */
export function gitSiteProblems(site: string, config: GitSiteConfig): PluginConfigProblem[] {
  const problems: PluginConfigProblem[] = [];
  const problem = refNameProblem(`refs/heads/${config.branch}`);
  if (problem) problems.push({ code: 'HEARTH_ERR_GIT_CONFIG', site, path: ['branch'], message: `'${config.branch}' is not a valid branch name: ${problem}` });
  const output = config.build?.output;
  if (output !== undefined && (output.startsWith('/') || output.split('/').includes('..'))) {
    problems.push({ code: 'HEARTH_ERR_GIT_CONFIG', site, path: ['build', 'output'], message: `'${output}' must be a path inside the repository (relative, without '..')` });
  }
  return problems;
}

/** The sites, their settings and repositories. */
export class GitSites {
  readonly #dataDir: string;
  readonly #configs = new Map<string, GitSiteConfig>();
  readonly #opened = new Map<string, Promise<GitSite>>();

  /**
   * `sites` is the host file's site list; `pluginSites` the per-site git settings the host
   * validated (a site missing there gets the defaults). Throws HEARTH_ERR_GIT_CONFIG naming every
   * bad branch name and build output outside the repository ({@link gitSiteProblems}).
   */
  constructor(dataDir: string, sites: Readonly<Record<string, SiteConfig>>, pluginSites: ReadonlyMap<string, unknown>) {
    this.#dataDir = dataDir;
    const problems: PluginConfigProblem[] = [];
    for (const name of Object.keys(sites)) {
      const config = resolveSiteConfig(pluginSites.get(name) ?? sites[name]?.plugins['git']);
      problems.push(...gitSiteProblems(name, config));
      this.#configs.set(name, config);
    }
    throwConfigProblems('git', problems);
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
    return repoDirOf(this.#dataDir, name);
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
