/**
 * `forget`: removes the snapshot manifests a retention policy does not keep, per host and stage.
 * Only manifests are deleted; the data they alone used is freed by `prune`.
 */
import type { Logger } from 'pino';
import type { StoredSnapshot } from '../format/snapshot.js';
import { PREFIX } from './layout.js';
import { acquireLock, type LockOptions } from './lock.js';
import type { Repository } from './repository.js';
import { applyRetention, type RetentionPolicy, type RetentionRule } from './retention.js';
import { snapshotsOf } from './snapshotQuery.js';

/** What forget decided (and, unless a dry run, did). */
export interface ForgetResult {
  readonly keep: readonly { readonly snapshot: StoredSnapshot; readonly reasons: readonly RetentionRule[] }[];
  readonly remove: readonly StoredSnapshot[];
}

/** Options for {@link forgetSnapshots}. */
export interface ForgetOptions {
  readonly host: string;
  readonly stage: string;
  readonly policy: RetentionPolicy;
  readonly dryRun: boolean;
  readonly lock: Pick<LockOptions, 'waitMs' | 'staleMs' | 'refreshMs'>;
  readonly logger: Logger;
}

/** Applies the policy to the snapshots of one host and stage. */
export async function forgetSnapshots(repo: Repository, options: ForgetOptions): Promise<ForgetResult> {
  const lock = options.dryRun
    ? undefined
    : await acquireLock(repo, { ...options.lock, exclusive: true, operation: 'forget', host: options.host }, options.logger);
  try {
    const mine = snapshotsOf((await repo.listSnapshots()).snapshots, options.host, options.stage);
    const decision = applyRetention(
      mine.map((snapshot) => ({ snapshot, time: new Date(snapshot.snapshot.time) })),
      options.policy,
    );
    if (!options.dryRun && decision.remove.length > 0) {
      await repo.target.delete(decision.remove.map((r) => `${PREFIX.snapshot}${r.snapshot.id}`));
      options.logger.info({ removed: decision.remove.length, kept: decision.keep.length }, 'forgot snapshots outside the retention policy');
    }
    return {
      keep: decision.keep.map((k) => ({ snapshot: k.snapshot, reasons: decision.reasons.get(k) ?? [] })),
      remove: decision.remove.map((r) => r.snapshot),
    };
  } finally {
    await lock?.release();
  }
}
