/**
 * Helpers around {@link PluginDefinition.checkConfig}: the per-site settings a plugin is given,
 * and the one error its setup throws for the problems the check would have reported.
 */
import type { HearthConfig } from '../config/types.js';
import { HearthError } from '../errors/HearthError.js';
import type { PluginConfigProblem } from './definition.js';

/** `sites.<site>.<id>` of every site that has settings for the plugin, by site name. */
export function pluginSites(file: HearthConfig, pluginId: string): ReadonlyMap<string, unknown> {
  const sites = new Map<string, unknown>();
  for (const site of Object.values(file.sites)) {
    if (site.plugins[pluginId] !== undefined) sites.set(site.name, site.plugins[pluginId]);
  }
  return sites;
}

/** Where a problem is, as the host file nests it: `plugins.intake.allow[0]`, `sites.example.com.edge.headers`. */
export function problemLocation(pluginId: string, problem: PluginConfigProblem): string {
  const base = problem.site === undefined ? `plugins.${pluginId}` : `sites.${problem.site}.${pluginId}`;
  return base + (problem.path ?? []).map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('');
}

/** The error a plugin's setup throws for its config problems: every one of them, under the first one's code. */
export function configProblemsError(pluginId: string, problems: readonly PluginConfigProblem[]): HearthError {
  const lines = problems.map((problem) => `${problemLocation(pluginId, problem)}: ${problem.message}`);
  const [first] = problems;
  if (!first) throw new Error('configProblemsError needs at least one problem');
  const message = lines.length === 1 ? lines[0]! : `the ${pluginId} plugin's config has ${lines.length} problems:\n${lines.map((line) => `  - ${line}`).join('\n')}`;
  return new HearthError(first.code, message);
}

/** Throws {@link configProblemsError} when there are problems. */
export function throwConfigProblems(pluginId: string, problems: readonly PluginConfigProblem[]): void {
  if (problems.length > 0) throw configProblemsError(pluginId, problems);
}
