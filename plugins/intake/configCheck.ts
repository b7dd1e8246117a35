/**
 * What the intake plugin checks in its config beyond the schema, without opening anything: the
 * allowlist's CIDRs, the retention cron expression, the sites listeners name, and Bunny pull zones
 * listed by one site only. `hearth check` and `hearth start` report every problem before any host
 * sets up; the runtime refuses the same at setup.
 */
import type { PluginConfigProblem } from '../../core/plugin/definition.js';
import { isValidCron } from '../../core/services/scheduler.js';
import type { IntakeConfig, IntakeSiteConfig } from './config.js';
import { allowlistEntryProblem } from './listeners/sourceAllowlist.js';

const code = 'HEARTH_ERR_INTAKE_CONFIG';

/** Each pull zone id with the site whose lines it carries, and the ids two sites list. */
export function pullZoneOwners(sites: ReadonlyMap<string, unknown>): { zones: Map<string, string>; problems: PluginConfigProblem[] } {
  const zones = new Map<string, string>();
  const problems: PluginConfigProblem[] = [];
  for (const [site, settings] of sites) {
    ((settings as IntakeSiteConfig).bunnyPullZones ?? []).forEach((zone, index) => {
      const id = String(zone);
      const owner = zones.get(id);
      if (owner && owner !== site) {
        problems.push({ code, site, path: ['bunnyPullZones', index], message: `Bunny pull zone ${id} is listed by both sites '${owner}' and '${site}'; keep it in one` });
      } else zones.set(id, site);
    });
  }
  return { zones, problems };
}

/** Every problem of the config; `isSite` tells the host file's site names. */
export function intakeConfigProblems(config: IntakeConfig, sites: ReadonlyMap<string, unknown>, isSite: (name: string) => boolean): PluginConfigProblem[] {
  const problems: PluginConfigProblem[] = [];
  config.allow.forEach((entry, index) => {
    const problem = allowlistEntryProblem(entry);
    if (problem) problems.push({ code, path: ['allow', index], message: problem });
  });
  config.listeners.forEach((listener, index) => {
    if (listener.site !== undefined && !isSite(listener.site)) {
      problems.push({ code, path: ['listeners', index, 'site'], message: `'${listener.site}' is not a site of the host file; name one under sites` });
    }
  });
  if (config.retentionCron !== '' && !isValidCron(config.retentionCron)) {
    problems.push({ code, path: ['retentionCron'], message: `'${config.retentionCron}' is not a cron expression; use five fields like '30 4 * * *', or '' to turn retention off` });
  }
  problems.push(...pullZoneOwners(sites).problems);
  return problems;
}
