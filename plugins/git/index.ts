/**
 * The git plugin: `git push http(s)://HOST/git/<site>.git <branch>` deploys a site. Hearth speaks
 * git's smart-HTTP protocol itself (no git binary on the server): pushes are checked, optionally
 * built, and published as releases in storage; clones and fetches work too. See docs/plugins/git.md.
 */
import { join } from 'node:path';
import { definePlugin, type PluginInstance } from '../../core/plugin/definition.js';
import { gitConfigSchema, gitSiteSchema, resolveSiteConfig } from './config.js';
import { gitErrors } from './errors.js';
import { GitMetrics } from './metrics.js';
import { GitSites, gitSiteProblems, LOCKS_DIR, REPOS_DIR } from './gitSites.js';
import { SiteLocks } from './repo/siteLock.js';
import { registerGitRoutes } from './routes/gitRoutes.js';
import { deploysCommand, rollbackCommand } from './cli/gitCommands.js';
import { rollbackSite, type RollbackResult } from './cli/rollback.js';
import { dumpRefs, loadRefs } from './state/refsArchive.js';
import { dumpReleases } from './state/releaseDump.js';
import { loadReleases } from './state/releaseLoad.js';

/** What the git plugin's setup returns; `host.instance('git')` gives it to tests. */
export interface GitPluginInstance extends PluginInstance {
  /** The sites and their repositories. */
  readonly sites: GitSites;
  /** Rolls a site back, as `hearth git rollback` does. */
  rollback(site: string, commit?: string): Promise<RollbackResult>;
  /** Resolves when every push answered so far has finished. */
  idle(): Promise<void>;
}

/** The git plugin's definition. */
export const gitPlugin = definePlugin({
  id: 'git',
  description: 'git push deploys over smart HTTP, with builds, releases and rollback',
  configSchema: gitConfigSchema,
  siteSchema: gitSiteSchema,
  needs: ['storage', 'tokens', 'metrics', 'clock'],
  wants: ['servedReleases'],
  // The repositories as files, with their refs read under the site lock (state/refsArchive.ts);
  // the releases in storage through the hooks (state/releaseArchive.ts).
  state: {
    paths: [REPOS_DIR],
    async dump(dir, owner) {
      await dumpRefs(dir, owner);
      await dumpReleases(dir, owner);
    },
    async load(dir, owner) {
      await loadReleases(dir, owner);
      await loadRefs(dir, owner);
    },
  },
  errors: gitErrors,
  commands: [deploysCommand, rollbackCommand],
  checkConfig: (ctx) => [...ctx.sites].flatMap(([site, settings]) => gitSiteProblems(site, resolveSiteConfig(settings))),
  setup(ctx): GitPluginInstance {
    const { storage, tokens, metrics, clock, servedReleases } = ctx.services;
    const sites = new GitSites(ctx.dataDir, ctx.file.sites, ctx.sites);
    const locksDir = join(ctx.dataDir, LOCKS_DIR);
    const locks = new SiteLocks(locksDir);
    const gitMetrics = new GitMetrics(metrics);
    const inFlight = new Set<Promise<unknown>>();
    const trackPush = (finished: Promise<unknown>): void => {
      const settled = finished.catch(() => undefined).finally(() => inFlight.delete(settled));
      inFlight.add(settled);
    };
    const idle = async (): Promise<void> => {
      while (inFlight.size > 0) await Promise.all(inFlight);
    };
    return {
      sites,
      idle,
      async rollback(site, commit) {
        const result = await rollbackSite(storage, locksDir, site, commit, () => clock.now());
        await servedReleases?.refresh(site);
        return result;
      },
      routes: (app) =>
        registerGitRoutes(app, { config: ctx.config, storage, locks, clock, metrics: gitMetrics, logger: ctx.logger, sites, tokens, trackPush, served: servedReleases }),
      // A push in flight finishes (its report reaches the pusher) before the host lets go of storage.
      stop: idle,
    };
  },
});

/** The definition, as the host's loader takes it. */
export default gitPlugin;
