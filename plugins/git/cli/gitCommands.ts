/**
 * `hearth git deploys SITE` and `hearth git rollback SITE [COMMIT]`. Both open the host's storage
 * offline (the host need not run); the host is the one whose plugins include git, or `--host`.
 */
import { join } from 'node:path';
import type { CommandContext, OfflineServices, PluginCommand } from '../../../core/plugin/definition.js';
import type { HearthConfig } from '../../../core/config/types.js';
import { HearthError } from '../../../core/errors/HearthError.js';
import { LOCKS_DIR } from '../gitSites.js';
import { deployHistory, rollbackSite } from './rollback.js';

/** The plugin's id, as hosts list it. */
const GIT_PLUGIN_ID = 'git';

/** Picks the host that runs the git plugin: `--host`, or the only one that does. */
export function gitHostOf(config: HearthConfig, requested: string | undefined): string {
  const running = Object.values(config.hosts).filter((host) => host.plugins.some((plugin) => plugin.id === GIT_PLUGIN_ID)).map((host) => host.name);
  if (requested !== undefined) {
    if (!running.includes(requested)) {
      throw new HearthError('HEARTH_ERR_GIT_NO_HOST', `host '${requested}' does not run the git plugin (hosts that do: ${running.join(', ') || 'none'})`);
    }
    return requested;
  }
  if (running.length === 1) return running[0]!;
  throw new HearthError('HEARTH_ERR_GIT_NO_HOST', running.length === 0
    ? 'no host in the host file runs the git plugin; add `git: {}` to a host\'s plugins'
    : `several hosts run the git plugin (${running.join(', ')}); choose one with --host`);
}

async function withSiteStorage<T>(context: CommandContext, site: string, host: string | undefined, task: (offline: OfflineServices) => Promise<T>): Promise<T> {
  const config = await context.loadConfig();
  if (!Object.hasOwn(config.sites, site)) {
    throw new HearthError('HEARTH_ERR_GIT_UNKNOWN_SITE', `no site '${site}' in the host file (sites: ${Object.keys(config.sites).join(', ') || 'none'})`);
  }
  const offline = await context.openOffline(gitHostOf(config, host));
  try {
    return await task(offline);
  } finally {
    await offline.close();
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `hearth git deploys SITE [--host H] [--json]`. */
export const deploysCommand: PluginCommand = {
  register({ group }, context) {
    group
      .command('deploys')
      .description('list the kept releases of a site, newest first (* = live)')
      .argument('<site>', 'site name from the host file')
      .option('--host <name>', 'the host that runs the git plugin')
      .option('--json', 'print JSON instead of a table')
      .action(async (site: string, options: { host?: string; json?: boolean }) => {
        const history = await withSiteStorage(context, site, options.host, (offline) => deployHistory(offline.services.storage, site));
        if (options.json) {
          const rows = history.map(({ release, live }) => ({ live, id: release.id, commit: release.commit, branch: release.branch, author: release.author, subject: release.subject, committedAt: release.committedAt, deployedAt: release.deployedAt, built: release.built, files: release.fileCount, bytes: release.bytes }));
          context.out.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        if (history.length === 0) {
          context.out.write(`site '${site}' has no deployed release yet\n`);
          return;
        }
        for (const { release, live } of history) {
          const line = [live ? '*' : ' ', release.commit.slice(0, 12), release.deployedAt.replace(/\.\d+Z$/, 'Z'), `${release.fileCount} files`, formatBytes(release.bytes).padStart(10), `${release.author.name}:`, release.subject];
          context.out.write(`${line.join('  ')}\n`);
        }
      });
  },
};

/** `hearth git rollback SITE [COMMIT] [--host H]`. */
export const rollbackCommand: PluginCommand = {
  register({ group }, context) {
    group
      .command('rollback')
      .description('make an earlier release live again (default: the one before the live release)')
      .argument('<site>', 'site name from the host file')
      .argument('[commit]', 'commit (4+ hex digits) or release id of a kept release')
      .option('--host <name>', 'the host that runs the git plugin')
      .action(async (site: string, commit: string | undefined, options: { host?: string }) => {
        const result = await withSiteStorage(context, site, options.host, (offline) =>
          rollbackSite(offline.services.storage, join(offline.dataDirOf(GIT_PLUGIN_ID), LOCKS_DIR), site, commit, () => offline.services.clock.now()),
        );
        const from = result.from ? result.from.commit.slice(0, 12) : 'nothing';
        context.out.write(`${site}: live release is now ${result.to.commit.slice(0, 12)} (${result.to.subject}), was ${from}\n`);
      });
  },
};
