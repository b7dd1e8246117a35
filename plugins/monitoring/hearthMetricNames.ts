/**
 * The metric names (and label values) of Hearth's core and plugins that the default alert rules
 * read. They live here, in one place, so they can be kept in step with the plugins that export
 * them: the core (core/http/hostMetrics.ts), backup, intake and git.
 */

/** Metric names by the part of Hearth that exports them. */
export const HEARTH_METRICS = Object.freeze({
  /** Core: bytes free / total on the data directory's filesystem. */
  datadirFreeBytes: 'hearth_datadir_free_bytes',
  datadirSizeBytes: 'hearth_datadir_size_bytes',
  /** Core: HTTP requests by method, route and status_class (`2xx`...`5xx`). */
  httpRequests: 'hearth_http_requests_total',
  /** Backup: time of the last successful backup, and failed runs. */
  backupLastSuccess: 'hearth_backup_last_success_timestamp_seconds',
  backupFailures: 'hearth_backup_failures_total',
  /** Intake: lines or records not stored, by reason. */
  intakeDropped: 'hearth_intake_records_dropped_total',
  /** Git: pushes by site and result. */
  gitPushes: 'hearth_git_pushes_total',
});

/** Intake drop reasons that mean Hearth itself lost data (not a client sending bad lines). */
export const INTAKE_LOSS_REASONS = ['backpressure', 'spool_failed', 'store_rejected'] as const;

/** Git push results that mean a deploy failed on the server's side. */
export const GIT_FAILED_RESULTS = ['build_failed', 'error'] as const;

/** The status class label value of server errors. */
export const HTTP_SERVER_ERROR_CLASS = '5xx';

/** Hours without a successful backup before BackupStale fires (as the backup plugin's own rule). */
export const BACKUP_STALE_HOURS = 26;
