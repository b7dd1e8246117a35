/**
 * Hearth's own alert rules, on by default: a host stops answering, backups stop or fail, intake
 * loses data, a deploy fails, a data disk fills up, a host answers too many server errors. They
 * are a Prometheus rule file (so `hearth`'s users can also load them into a real Prometheus), and
 * each can be switched off by name with `defaultRules.exclude`.
 */
import { HOST_JOB } from './scrape/targets.js';
import {
  BACKUP_STALE_HOURS, GIT_FAILED_RESULTS, HEARTH_METRICS as M, HTTP_SERVER_ERROR_CLASS, INTAKE_LOSS_REASONS,
} from './hearthMetricNames.js';

/** The name of the group holding the default rules. */
export const DEFAULT_GROUP = 'hearth-defaults';

const by = 'job, instance, host';
const gitFailed = `${M.gitPushes}{result=~"${GIT_FAILED_RESULTS.join('|')}"}`;
const httpRate = (matchers: string): string => `sum by (${by}) (rate(${M.httpRequests}${matchers}[5m]))`;

/** The default rules in Prometheus' rule-file shape. */
export const DEFAULT_RULES = Object.freeze({
  groups: [
    {
      name: DEFAULT_GROUP,
      rules: [
        {
          alert: 'HostDown',
          expr: `up{job="${HOST_JOB}"} == 0`,
          for: '1m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'Hearth host {{ $labels.host }} is down',
            description: '{{ $labels.instance }} has not answered /metrics for a minute. Check that the host process runs (systemctl status hearth@HOST) and that the monitoring host can reach it.',
          },
        },
        {
          alert: 'TargetDown',
          expr: `up{job!="${HOST_JOB}"} == 0`,
          for: '5m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Target {{ $labels.instance }} ({{ $labels.job }}) is down',
            description: 'A static target has not answered its metrics endpoint for 5 minutes.',
          },
        },
        {
          alert: 'BackupStale',
          expr: `time() - ${M.backupLastSuccess} > ${BACKUP_STALE_HOURS * 3600}`,
          for: '10m',
          labels: { severity: 'critical' },
          annotations: {
            summary: `No successful backup of {{ $labels.host }} for ${BACKUP_STALE_HOURS} hours`,
            description: 'The last successful backup finished {{ $value | humanizeDuration }} ago. Run `hearth backup run HOST` and read its error.',
          },
        },
        {
          alert: 'BackupFailed',
          expr: `increase(${M.backupFailures}[12h]) > 0`,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A backup of {{ $labels.host }} failed',
            description: 'At least one backup run failed in the last 12 hours; the host log has the error code (HEARTH_ERR_BACKUP_*), docs/errors.md the fix.',
          },
        },
        {
          alert: 'IntakeDropping',
          expr: `sum by (${by}) (rate(${M.intakeDropped}{reason=~"${INTAKE_LOSS_REASONS.join('|')}"}[5m])) > 0`,
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Intake on {{ $labels.host }} is losing access-log records',
            description: 'Records are dropped for lack of room or because the store refuses them ({{ $value | humanize }}/s). See hearth_intake_records_dropped_total by reason.',
          },
        },
        {
          alert: 'DeployFailed',
          // The second half catches a failure counter that appeared (at 1) since 15 minutes ago,
          // which increase() cannot see; `up offset 15m` keeps it quiet after a monitoring restart.
          expr: `increase(${gitFailed}[15m]) > 0 or ((${gitFailed} unless ${gitFailed} offset 15m) and on (instance) (up offset 15m))`,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A deploy of {{ $labels.site }} failed on {{ $labels.host }}',
            description: 'A push ended with result {{ $labels.result }} in the last 15 minutes; `hearth git deploys {{ $labels.site }}` shows it.',
          },
        },
        {
          alert: 'DiskAlmostFull',
          expr: `${M.datadirFreeBytes} / ${M.datadirSizeBytes} < 0.10`,
          for: '15m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'The data disk of {{ $labels.host }} is over 90% full',
            description: 'Only {{ $value | humanizePercentage }} of the filesystem holding the data directory is free.',
          },
        },
        {
          alert: 'HighHttpErrorRate',
          expr: `${httpRate(`{status_class="${HTTP_SERVER_ERROR_CLASS}"}`)} / ${httpRate('')} > 0.05 and ${httpRate('')} > 0.1`,
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: '{{ $labels.host }} answers {{ $value | humanizePercentage }} of requests with a server error',
            description: 'More than 5% of HTTP requests got a 5xx answer for 10 minutes; the host log has the errors.',
          },
        },
      ],
    },
  ],
});

/** The default rules without the excluded ones. */
export function defaultRules(exclude: readonly string[]): { groups: { name: string; rules: object[] }[] } {
  return {
    groups: DEFAULT_RULES.groups.map((group) => ({ name: group.name, rules: group.rules.filter((rule) => !exclude.includes(rule.alert)) })),
  };
}

/** The names of the default rules. */
export const DEFAULT_RULE_NAMES: readonly string[] = DEFAULT_RULES.groups.flatMap((g) => g.rules.map((r) => r.alert));
