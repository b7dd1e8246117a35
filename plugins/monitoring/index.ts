/**
 * The monitoring plugin: scrapes the fleet's /metrics, evaluates Prometheus-style alert rules
 * (Hearth's defaults, inline groups, rule files) and routes alerts like Alertmanager to webhooks,
 * email and chat, with silences, inhibition, a status page and a dead man's switch.
 */
import { definePlugin, type PluginInstance } from '../../core/plugin/definition.js';
import { alertsCommand, silenceCommand } from './cli/commands.js';
import { monitoringConfigSchema } from './config.js';
import { monitoringErrors } from './errors.js';
import type { Monitor } from './monitor.js';

/** What setup returns: the lifecycle, plus the monitor itself for tests and tools. */
export interface MonitoringInstance extends PluginInstance {
  readonly monitor: Monitor;
  /** Runs everything due at the clock's current time (scrapes, rules, notifications) and waits. */
  tick(): Promise<void>;
}

/** The plugin definition. */
export const monitoringPlugin = definePlugin({
  id: 'monitoring',
  description: 'scrapes the fleet, evaluates alert rules and routes alerts like Alertmanager',
  configSchema: monitoringConfigSchema,
  needs: ['clock', 'metrics', 'tokens'],
  errors: monitoringErrors,
  commands: [alertsCommand, silenceCommand],
  // silences.json, notifications.json and alert-state.json: all of the plugin's directory.
  state: {},
  async checkConfig(ctx) {
    // As setup, loaded on use: only hosts that check or run monitoring need the rule engine.
    const { monitoringConfigProblems } = await import('./configCheck.js');
    return monitoringConfigProblems(ctx.config, ctx.file);
  },
  async setup(ctx): Promise<MonitoringInstance> {
    // Every host that names this plugin in its file loads this module to check the config; only the
    // monitoring host needs the scraper, rule engine, PromQL parser and receivers behind it.
    const [{ createMonitor }, { registerMonitoringRoutes }] = await Promise.all([import('./monitorSetup.js'), import('./http/api.js')]);
    const monitor = await createMonitor({
      config: ctx.config,
      file: ctx.file,
      host: ctx.host,
      dataDir: ctx.dataDir,
      logger: ctx.logger,
      clock: ctx.services.clock,
      registry: ctx.services.metrics,
    });
    const tokens = ctx.services.tokens;
    return {
      monitor,
      tick: () => monitor.tick(),
      routes(app) {
        registerMonitoringRoutes(app, monitor, tokens, ctx.config.api.publicRead);
      },
      start() {
        monitor.start();
      },
      stop: () => monitor.stop(),
    };
  },
});

export default monitoringPlugin;
