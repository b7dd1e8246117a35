/**
 * Ready-made alert rules for the backup metrics, in the shape of a Prometheus rule file, for the
 * monitoring plugin (or a real Prometheus): no successful backup for 26 hours (a twice-daily
 * schedule has missed two runs in a row, plus jitter), and any failed run in the last 12 hours.
 */
import { stringify } from 'yaml';

/** One alerting rule, as in a Prometheus rule file. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A Prometheus rule file. */
export interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
}

/** Hours without a successful backup before the stale alert fires. */
export const STALE_AFTER_HOURS = 26;

/** The backup alert rules. */
export const backupAlertRules: RuleFile = Object.freeze({
  groups: [
    {
      name: 'hearth-backup',
      rules: [
        {
          alert: 'HearthBackupStale',
          expr: `time() - hearth_backup_last_success_timestamp_seconds > ${STALE_AFTER_HOURS * 3600}`,
          for: '10m',
          labels: { severity: 'critical' },
          annotations: {
            summary: `No successful backup of {{ $labels.instance }} for ${STALE_AFTER_HOURS} hours`,
            description: 'The last successful backup finished {{ $value | humanizeDuration }} ago. Run `hearth backup run HOST` and read its error.',
          },
        },
        {
          alert: 'HearthBackupFailed',
          expr: 'increase(hearth_backup_failures_total[12h]) > 0',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'A backup of {{ $labels.instance }} failed',
            description: 'At least one backup run failed in the last 12 hours; the host log has the error code (HEARTH_ERR_BACKUP_*), docs/errors.md the fix.',
          },
        },
      ],
    },
  ],
});

/** The same rules as YAML text, ready for a rule file. */
export const backupAlertRulesYaml: string = stringify(backupAlertRules);
