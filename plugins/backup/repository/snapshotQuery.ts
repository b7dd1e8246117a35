/**
 * Picking snapshots: the latest of a host and stage, or one by (short) id, as `hearth restore
 * --snapshot ID|latest --from-host H --from-stage S` asks.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import { newestFirst, type StoredSnapshot } from '../format/snapshot.js';

/** Shortest id prefix accepted, so a typo rarely matches something else. */
const MIN_PREFIX = 4;

/** The snapshots of one host and stage, newest first. */
export function snapshotsOf(snapshots: readonly StoredSnapshot[], host: string, stage: string): StoredSnapshot[] {
  return newestFirst(snapshots.filter((s) => s.snapshot.host === host && s.snapshot.stage === stage));
}

/** The newest snapshot of a host and stage, if any. */
export function latestSnapshot(snapshots: readonly StoredSnapshot[], host: string, stage: string): StoredSnapshot | undefined {
  return snapshotsOf(snapshots, host, stage)[0];
}

/**
 * Resolves `latest` or an id prefix. `latest` is the newest of the host and stage; an id may name
 * any snapshot, but one of another host or stage is refused (restoring the wrong host's state by a
 * typo would be worse than an error).
 */
export function findSnapshot(snapshots: readonly StoredSnapshot[], ref: string, host: string, stage: string): StoredSnapshot {
  const mine = snapshotsOf(snapshots, host, stage);
  if (ref === 'latest') {
    const latest = mine[0];
    if (!latest) {
      const others = [...new Set(snapshots.map((s) => `${s.snapshot.host}@${s.snapshot.stage}`))];
      throw new HearthError('HEARTH_ERR_BACKUP_SNAPSHOT_NOT_FOUND', `no snapshot of host '${host}' in stage '${stage}'${others.length ? ` (the repository has snapshots of: ${others.join(', ')}; use --from-host / --from-stage)` : ' (the repository has none yet)'}`);
    }
    return latest;
  }
  const wanted = ref.toLowerCase();
  if (!/^[0-9a-f]+$/.test(wanted) || wanted.length < MIN_PREFIX) {
    throw new HearthError('HEARTH_ERR_BACKUP_SNAPSHOT_NOT_FOUND', `'${ref}' is not a snapshot id; give 'latest' or at least ${MIN_PREFIX} hex digits from \`hearth backup list\``);
  }
  const matches = snapshots.filter((s) => s.id.startsWith(wanted));
  if (matches.length > 1) {
    throw new HearthError('HEARTH_ERR_BACKUP_SNAPSHOT_AMBIGUOUS', `snapshot id '${ref}' matches ${matches.length} snapshots (${matches.map((m) => m.id.slice(0, 12)).join(', ')}); give more digits`);
  }
  const match = matches[0];
  if (!match) throw new HearthError('HEARTH_ERR_BACKUP_SNAPSHOT_NOT_FOUND', `no snapshot has an id starting with '${ref}'; see \`hearth backup list\``);
  if (match.snapshot.host !== host || match.snapshot.stage !== stage) {
    throw new HearthError('HEARTH_ERR_BACKUP_SNAPSHOT_NOT_FOUND', `snapshot ${ref} belongs to host '${match.snapshot.host}' in stage '${match.snapshot.stage}', not '${host}' in '${stage}'; add --from-host ${match.snapshot.host} --from-stage ${match.snapshot.stage} to restore it here`);
  }
  return match;
}
