/**
 * The monitoring plugin's config check: builds what the monitor is built from (monitorParts) and
 * places each problem it collects under the config key it names. The collectors write problems as
 * `path: message` with the path inside the plugin's config (`route.routes[0].receiver`,
 * `receivers.ops.webhook_configs[1].url`, receivers by name), and rule problems come with the key
 * they were loaded from.
 */
import type { HearthConfig } from '../../core/config/types.js';
import type { PluginConfigProblem } from '../../core/plugin/definition.js';
import type { MonitoringConfig } from './config.js';
import { INLINE_RULES, monitorParts } from './monitorSetup.js';

const PATH_FIRST = /^([A-Za-z_][\w-]*(?:\[\d+\]|\.[^\s.[:]+)*): ([\s\S]+)$/;

/** `route.routes[0].receiver: no receiver ...` as a path into the config and the message after it. */
export function locateMessage(text: string, config: MonitoringConfig): { path: (string | number)[]; message: string } {
  const match = PATH_FIRST.exec(text);
  if (!match) return { path: [], message: text };
  const path: (string | number)[] = [...match[1]!.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((part) => (part[2] === undefined ? part[1]! : Number(part[2])));
  // Receivers are named in messages; the file lists them.
  if (path[0] === 'receivers' && typeof path[1] === 'string') {
    const index = config.receivers.findIndex((receiver) => receiver.name === path[1]);
    path.splice(1, path.length - 1, ...(index >= 0 ? [index, ...path.slice(2)] : []));
  }
  return { path, message: match[2]! };
}

/** Every problem of the config: targets, routes, receivers, inhibition rules and alert rules. */
export async function monitoringConfigProblems(config: MonitoringConfig, file: HearthConfig): Promise<PluginConfigProblem[]> {
  const { configErrors, ruleErrors } = await monitorParts(config, file);
  return [
    ...configErrors.map((text) => ({ code: 'HEARTH_ERR_MONITORING_CONFIG' as const, ...locateMessage(text, config) })),
    ...ruleErrors.map(({ path, text }) => ({
      code: 'HEARTH_ERR_MONITORING_RULES' as const,
      path,
      // Inline rules are where the path points; a rule file's name and line stay in the message.
      message: text.startsWith(`${INLINE_RULES}: `) ? text.slice(INLINE_RULES.length + 2) : text,
    })),
  ];
}
