/**
 * `hearth restore`: brings back a snapshot's state — every source, or the plugins asked for — onto
 * the host named on the command line, which may be another host or stage than the one backed up
 * (`--from-host`, `--from-stage`). In place, the host must be stopped, and every source is restored
 * into scratch space before any live state is replaced (see `inPlaceRestore.ts`). With `--to DIR`
 * everything lands under DIR (`plugins/<id>`, `dumps/<id>`, `paths/<name>`, `commands/<name>`),
 * which appears only once complete.
 */
import { rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HearthConfig } from '../../../core/config/types.js';
import { HearthError, joinErrors } from '../../../core/errors/HearthError.js';
import type { SnapshotSource, StoredSnapshot } from '../format/snapshot.js';
import { acquireLock } from '../repository/lock.js';
import type { Repository } from '../repository/repository.js';
import { restoreTree, type RestoreProgress } from '../repository/restoreTree.js';
import { findSnapshot } from '../repository/snapshotQuery.js';
import type { BackupEnvironment } from './backupJob.js';
import { assertHostStopped } from './hostGuard.js';
import { pluginScratchRoot, prepareInPlace, type PrepareContext, type PreparedSource, type RestoredSource, type TreeRestorer } from './inPlaceRestore.js';
import { fileStamp, prepareDestination } from './restorePlacement.js';

export type { RestoredSource } from './inPlaceRestore.js';

/** What to restore. */
export interface RestoreRequest {
  /** `latest` or an id (prefix). */
  readonly snapshot: string;
  /** Plugin ids; all of the snapshot's sources when absent. */
  readonly plugins?: readonly string[];
  /** Restore under this directory instead of in place. */
  readonly to?: string;
  readonly fromHost?: string;
  readonly fromStage?: string;
}

/** What a restore did. */
export interface RestoreOutcome {
  readonly snapshot: StoredSnapshot;
  readonly restored: readonly RestoredSource[];
  /** Sources left out, with why. */
  readonly skipped: readonly string[];
}

function selectSources(snapshot: StoredSnapshot, plugins: readonly string[] | undefined): SnapshotSource[] {
  if (!plugins || plugins.length === 0) return [...snapshot.snapshot.sources];
  return plugins.map((id) => {
    const source = snapshot.snapshot.sources.find((s) => s.kind === 'plugin' && s.name === id);
    if (!source) {
      const held = snapshot.snapshot.sources.filter((s) => s.kind === 'plugin').map((s) => s.name);
      throw new HearthError('HEARTH_ERR_BACKUP_SOURCE_NOT_IN_SNAPSHOT', `snapshot ${snapshot.id.slice(0, 8)} holds no state of plugin '${id}' (it holds: ${held.join(', ') || 'no plugin state'})`);
    }
    return source;
  });
}

async function restoreElsewhere(to: string, sources: readonly SnapshotSource[], restore: TreeRestorer): Promise<RestoredSource[]> {
  const destination = await prepareDestination(to);
  const restored: RestoredSource[] = [];
  try {
    for (const source of sources) {
      // Command outputs are files named after the command, side by side.
      const dir = source.kind === 'command' ? join(destination.scratch, 'commands') : join(destination.scratch, `${source.kind}s`, source.name);
      const files = await restore(source.tree, dir, source.name);
      const dump = source.dump ? await restore(source.dump, join(destination.scratch, 'dumps', source.name), source.name) : { files: 0, bytes: 0 };
      restored.push({ kind: source.kind, name: source.name, location: join(to, `${source.kind}s`, source.name), files: files.files + dump.files, bytes: files.bytes + dump.bytes });
    }
    await destination.finish();
    return restored;
  } catch (error) {
    await rm(destination.scratch, { recursive: true, force: true });
    throw error;
  }
}

/** Restores a snapshot as the request says; `file` is the resolved host file of the current stage. */
export async function restoreSnapshot(repo: Repository, environment: BackupEnvironment, file: HearthConfig, request: RestoreRequest, onProgress?: (source: string, progress: RestoreProgress) => void): Promise<RestoreOutcome> {
  if (request.to === undefined) await assertHostStopped(environment.host, environment.dataDir, environment.stage);
  const lock = await acquireLock(repo, { ...environment.config.lock, exclusive: false, operation: 'restore', host: environment.hostName }, environment.logger);
  try {
    const { index } = await repo.loadIndex();
    const snapshot = findSnapshot((await repo.listSnapshots()).snapshots, request.snapshot, request.fromHost ?? environment.hostName, request.fromStage ?? environment.stage);
    const sources = selectSources(snapshot, request.plugins);
    const restore: TreeRestorer = async (tree, dir, source) => restoreTree(repo, index, await repo.loadTree(index, tree), dir, (p) => onProgress?.(source, p));
    if (request.to !== undefined) return { snapshot, restored: await restoreElsewhere(request.to, sources, restore), skipped: [] };

    try {
      return { snapshot, ...(await restoreInPlace(sources, { environment, file, snapshot, stamp: fileStamp(environment.clock.now()), restore, ...(onProgress ? { onProgress } : {}) })) };
    } finally {
      // The scratch space goes once empty (a crash may leave pieces in it, which stay to be seen).
      await rmdir(pluginScratchRoot(environment.host)).catch(() => undefined);
    }
  } finally {
    await lock.release();
  }
}

/** Prepares every source, then commits them one by one, reporting every failure. */
async function restoreInPlace(sources: readonly SnapshotSource[], context: PrepareContext): Promise<Omit<RestoreOutcome, 'snapshot'>> {
  const skipped: string[] = [];
  const prepared: PreparedSource[] = [];
  try {
    for (const source of sources) {
      const ready = await prepareInPlace(source, context, skipped);
      if (ready) prepared.push(ready);
    }
  } catch (error) {
    for (const ready of prepared) await ready.discard();
    throw error;
  }
  // Everything is written: now replace the live state, source by source, and report every failure.
  const failures: unknown[] = [];
  const restored: RestoredSource[] = [];
  for (const ready of prepared) {
    try {
      restored.push(await ready.commit());
    } catch (error) {
      failures.push(error);
    } finally {
      await ready.discard();
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw joinErrors('HEARTH_ERR_BACKUP_DUMP_FAILED', `${failures.length} plugins failed after their files were restored:`, failures);
  return { restored, skipped };
}
