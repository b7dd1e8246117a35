/**
 * Builds a {@link Monitor} from the plugin's config: targets from the host file, rule groups
 * (Hearth's defaults, inline groups, rule files), the route tree, receivers and inhibition rules,
 * and the state kept in the data directory. Every problem is collected and reported at once, each
 * naming where it is.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HearthConfig, HostConfig } from '../../core/config/types.js';
import { HearthError } from '../../core/errors/HearthError.js';
import type { Clock } from '../../core/services/clock.js';
import { Inhibitor } from './alerting/inhibitor.js';
import { NotificationLog } from './alerting/notificationLog.js';
import { buildRouteTree, type RouteConfig } from './alerting/route.js';
import { Silences } from './alerting/silences.js';
import type { MonitoringConfig } from './config.js';
import { defaultRules } from './defaultRules.js';
import { Heartbeat } from './heartbeat.js';
import { makeLabels } from './model/labels.js';
import { Monitor } from './monitor.js';
import { asSecret } from './receivers/integration.js';
import { buildReceivers, type ReceiverConfig } from './receivers/receivers.js';
import { RuleEngine, type RuleStateSnapshot } from './rules/ruleEngine.js';
import type { RuleGroupSpec } from './rules/ruleSpec.js';
import { loadRuleFileText, validateRuleGroups } from './rules/ruleValidation.js';
import { ScrapeManager } from './scrape/scrapeManager.js';
import { resolveTargets } from './scrape/targets.js';
import { StateFile } from './state/stateFile.js';
import { SeriesStore } from './tsdb/seriesStore.js';

/** Largest rule file read. */
const MAX_RULE_FILE_BYTES = 1024 * 1024;

/** The receiver used when the config names none: alerts show on the status page only. */
const FALLBACK_ROUTE: RouteConfig = { receiver: 'default', group_by: ['alertname', 'host'] };

/** What the monitor is built from. */
export interface MonitorDeps {
  readonly config: MonitoringConfig;
  readonly file: HearthConfig;
  readonly host: HostConfig;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly registry?: Registry;
}

/** The source name of inline rule groups in messages. */
export const INLINE_RULES = 'monitoring.rules';

/** A rule problem and the config key it comes from (`rules`, `ruleFiles[i]`, `defaultRules`). */
export interface RuleError {
  readonly path: readonly (string | number)[];
  /** The message, starting with its source: `monitoring.rules: ...`, `/etc/hearth/team.rules.yml:5: ...`. */
  readonly text: string;
}

/** Loads the rule groups: defaults, inline and files. Problems go to `errors`. */
export async function loadRuleGroups(config: MonitoringConfig, hostFile: string, errors: RuleError[]): Promise<RuleGroupSpec[]> {
  const groups: RuleGroupSpec[] = [];
  const take = (result: { groups: RuleGroupSpec[]; errors: string[] }, path: readonly (string | number)[]): void => {
    groups.push(...result.groups);
    errors.push(...result.errors.map((text) => ({ path, text })));
  };
  if (config.defaultRules.enabled) take(validateRuleGroups(defaultRules(config.defaultRules.exclude), 'default rules'), ['defaultRules']);
  if (config.rules) take(validateRuleGroups(config.rules, INLINE_RULES), ['rules']);
  for (const [index, name] of config.ruleFiles.entries()) {
    const path = resolve(dirname(hostFile), name);
    try {
      const { size } = await stat(path);
      if (size > MAX_RULE_FILE_BYTES) throw new Error(`it is ${size} bytes, more than the ${MAX_RULE_FILE_BYTES} allowed`);
      take(loadRuleFileText(await readFile(path, 'utf8'), path), ['ruleFiles', index]);
    } catch (error) {
      errors.push({ path: ['ruleFiles', index], text: `${path}: cannot read the rule file (${(error as Error).message})` });
    }
  }
  return groups;
}

/**
 * What a monitor is built from — targets, rule groups, receivers, the route tree, inhibition
 * rules — with every problem in them collected rather than thrown. Opens, sends and writes
 * nothing (rule files are read), so the plugin's config check runs it too.
 */
export async function monitorParts(config: MonitoringConfig, file: HearthConfig) {
  const configErrors: string[] = [];
  const ruleErrors: RuleError[] = [];
  const targets = resolveTargets(
    file,
    { hosts: config.targets, staticTargets: config.staticTargets, scheme: config.scrape.scheme, metricsPath: config.scrape.metricsPath },
    configErrors,
  );
  const groups = await loadRuleGroups(config, file.file, ruleErrors);
  const receiverConfigs: readonly ReceiverConfig[] = config.receivers.length > 0 || config.route ? config.receivers : [{ name: 'default' }];
  const receivers = buildReceivers(receiverConfigs, configErrors);
  const route = buildRouteTree((config.route as RouteConfig | undefined) ?? FALLBACK_ROUTE, new Set(receivers.keys()), configErrors);
  const inhibitor = new Inhibitor(config.inhibit_rules, configErrors);
  return { targets, groups, receivers, route, inhibitor, configErrors, ruleErrors };
}

/** Builds the monitor; throws one HearthError listing every problem. */
export async function createMonitor(deps: MonitorDeps): Promise<Monitor> {
  const { config, file, host, dataDir, logger, clock } = deps;
  const { targets, groups, receivers, route, inhibitor, configErrors, ruleErrors } = await monitorParts(config, file);
  if (configErrors.length > 0 || ruleErrors.length > 0) {
    const code = configErrors.length > 0 ? 'HEARTH_ERR_MONITORING_CONFIG' : 'HEARTH_ERR_MONITORING_RULES';
    const lines = [...configErrors, ...ruleErrors.map((error) => error.text)].map((line) => `  - ${line}`).join('\n');
    throw new HearthError(code, `the monitoring config of host '${host.name}' has ${configErrors.length + ruleErrors.length} problem(s):\n${lines}`);
  }
  const externalURL = (config.externalURL ?? `http://${host.address.includes(':') ? `[${host.address}]` : host.address}:${host.port}/monitoring`).replace(/\/+$/, '');
  const store = new SeriesStore(config.retentionMs);
  const scrapes = new ScrapeManager(targets, store, { ...config.scrape });
  const rules = new RuleEngine({
    store, groups, defaultIntervalMs: config.evaluationIntervalMs, externalURL,
    templates: { externalLabels: makeLabels(config.externalLabels ?? {}), externalURL },
  });
  const silences = await Silences.open(new StateFile(dataDir, 'silences.json'));
  const log = await NotificationLog.open(new StateFile(dataDir, 'notifications.json'));
  const heartbeat = config.heartbeat
    ? new Heartbeat({ ...config.heartbeat, url: asSecret(config.heartbeat.url) }, logger)
    : undefined;
  const ruleState = new StateFile<RuleStateSnapshot>(dataDir, 'alert-state.json');
  const monitor = new Monitor({
    config, clock, logger, store, scrapes, rules, silences, log, receivers, route, inhibitor, heartbeat, ruleState, externalURL, registry: deps.registry,
  });
  await monitor.restore();
  return monitor;
}
