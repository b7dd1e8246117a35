/**
 * Runs each plugin's own config check (PluginDefinition.checkConfig: the checks it makes at setup,
 * such as CIDRs, cron expressions and references to hosts, sites or receivers) over a resolved
 * file, so `hearth check` (every host) and `hearth start` (the hosts it starts) report every such
 * problem with its line and the plugin's code before anything is set up.
 */
import { describeError, isHearthError } from '../errors/HearthError.js';
import { pluginSites } from '../plugin/configProblems.js';
import type { PluginConfigProblem } from '../plugin/definition.js';
import { stageContext } from '../stage/stageContext.js';
import type { ProblemList } from './loadHostFile.js';
import type { HearthConfig } from './types.js';
import type { YamlPath } from './validator.js';

function within(path: YamlPath, base: YamlPath): boolean {
  return base.every((segment, index) => path[index] === segment);
}

/** Adds what the plugins of `hostNames` find in their configs to `problems`. */
export async function checkPlugins(config: HearthConfig, hostNames: readonly string[], problems: ProblemList): Promise<void> {
  const stage = stageContext(config.stage, config.portOffset);
  const fileHadProblems = problems.problems.length > 0;
  for (const name of hostNames) {
    const host = config.hosts[name];
    for (const plugin of host?.plugins ?? []) {
      const { definition } = plugin;
      const base: YamlPath = ['hosts', name, 'plugins', plugin.ref];
      // A config that failed its schema is not what the check expects; its problems are listed already.
      if (!host || !definition.checkConfig || problems.problems.some((problem) => within(problem.path, base))) continue;
      let found: readonly PluginConfigProblem[];
      try {
        found = await definition.checkConfig({ config: plugin.config, sites: pluginSites(config, plugin.id), hostName: name, host, file: config, stage });
      } catch (error) {
        // On a file with other problems, a check that throws has most likely tripped over one of them.
        if (fileHadProblems) continue;
        found = [{ code: isHearthError(error) ? error.code : 'HEARTH_ERR_PLUGIN_VALIDATE', message: `the plugin could not check its config: ${describeError(error)}` }];
      }
      for (const problem of found) {
        const at = problem.path ?? [];
        const path = problem.site === undefined ? [...base, ...at] : ['sites', problem.site, plugin.id, ...at];
        problems.add(problem.code, path, `${problem.message} (plugin '${plugin.id}')`);
      }
    }
  }
}
