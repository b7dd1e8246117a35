/**
 * The backup plugin's metrics on the host's registry (served at /metrics). Names follow the
 * Prometheus conventions that `promtool check metrics` enforces: base units, `_total` on counters
 * only. The alert rules in `alertRules.ts` read them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Snapshot } from '../format/snapshot.js';

/** The backup metrics of one host. */
export class BackupMetrics {
  readonly lastSuccess: Gauge;
  readonly lastDuration: Gauge;
  readonly addedBytes: Counter;
  readonly repositoryBytes: Gauge;
  readonly files: Gauge;
  readonly failures: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.lastSuccess = new Gauge({
      name: 'hearth_backup_last_success_timestamp_seconds',
      help: 'Unix time of the last successful backup of this host (at start: the newest snapshot in the repository, else the host start).',
      registers,
    });
    this.lastDuration = new Gauge({ name: 'hearth_backup_last_duration_seconds', help: 'How long the last backup run took, successful or not.', registers });
    this.addedBytes = new Counter({ name: 'hearth_backup_added_bytes_total', help: 'Bytes of new packs stored by backups (after deduplication, compression and encryption).', registers });
    this.repositoryBytes = new Gauge({ name: 'hearth_backup_repository_bytes', help: 'Bytes of all objects in the backup repository, measured after the last backup.', registers });
    this.files = new Gauge({ name: 'hearth_backup_files', help: 'Files in the last successful snapshot of this host.', registers });
    this.failures = new Counter({ name: 'hearth_backup_failures_total', help: 'Backup runs that failed (no snapshot was written).', registers });
  }

  /** Records a run that wrote a snapshot. */
  succeeded(snapshot: Snapshot, finishedAt: Date, durationSeconds: number): void {
    this.lastSuccess.set(finishedAt.getTime() / 1000);
    this.lastDuration.set(durationSeconds);
    this.addedBytes.inc(snapshot.summary.addedBytes);
    this.files.set(snapshot.summary.files);
  }

  /** Records a run that failed. */
  failed(durationSeconds: number): void {
    this.failures.inc();
    this.lastDuration.set(durationSeconds);
  }
}
