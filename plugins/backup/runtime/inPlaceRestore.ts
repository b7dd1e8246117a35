/**
 * Restoring a snapshot's sources over a host's live state, in two phases. `prepare` writes a
 * source's files (and dump) into scratch space next to where they belong, touching nothing live;
 * `commit` then moves the live state aside and the restored state in, and hands a dump to its
 * plugin's `load` hook. The caller prepares every source before committing any, so a restore that
 * fails while reading or writing leaves the whole host as it was.
 */
import { rm } from 'node:fs/promises';
import { pathExists } from '../../../core/services/pathExists.js';
import { basename, join } from 'node:path';
import type { HearthConfig, HostConfig, PluginEntry } from '../../../core/config/types.js';
import { HearthError, describeError } from '../../../core/errors/HearthError.js';
import type { SnapshotSource, StoredSnapshot } from '../format/snapshot.js';
import type { RestoreProgress } from '../repository/restoreTree.js';
import { normalizeStatePaths, type StateHook } from '../sources/backupSource.js';
import type { BackupEnvironment } from './backupJob.js';
import { scratchDir, swapPath, swapPluginState } from './restorePlacement.js';

/** Restores one tree (by id) into a directory; returns its counts. */
export type TreeRestorer = (tree: string, dir: string, source: string) => Promise<{ files: number; bytes: number }>;

/** One restored source. */
export interface RestoredSource {
  readonly kind: SnapshotSource['kind'];
  readonly name: string;
  /** Where its files now are. */
  readonly location: string;
  readonly files: number;
  readonly bytes: number;
  /** Where the replaced state was kept, when there was any (in-place restores). */
  readonly previous?: string;
}

/** A source restored into scratch space, ready to be moved into place. */
export interface PreparedSource {
  /** Moves it into place, then loads its dump, if any; returns what was restored. */
  commit(): Promise<RestoredSource>;
  /** Removes the scratch copy (after a failure, or once committed). */
  discard(): Promise<void>;
}

/** What preparing needs. */
export interface PrepareContext {
  readonly environment: BackupEnvironment;
  readonly file: HearthConfig;
  readonly snapshot: StoredSnapshot;
  readonly stamp: string;
  readonly restore: TreeRestorer;
  readonly onProgress?: (source: string, progress: RestoreProgress) => void;
}

/** Where plugins' state is restored before it is moved into place: `<host dataDir>/.restore`. */
export function pluginScratchRoot(host: HostConfig): string {
  return join(host.dataDir, '.restore');
}

/** A plugin's definition from this host, else from any host of the file (another host's state may land here). */
function pluginEntry(file: HearthConfig, hostName: string, id: string): PluginEntry | undefined {
  const own = file.hosts[hostName]?.plugins.find((p) => p.id === id);
  return own ?? Object.values(file.hosts).flatMap((h) => h.plugins).find((p) => p.id === id);
}

async function preparePlugin(source: SnapshotSource, context: PrepareContext): Promise<PreparedSource> {
  const { environment, file, stamp, restore } = context;
  const { host } = environment;
  const entry = pluginEntry(file, environment.hostName, source.name);
  const state = entry?.definition.state;
  const paths = state ? normalizeStatePaths(source.name, state.paths ?? ['.']) : ['.'];
  const scratchRoot = pluginScratchRoot(host);
  const staging = await scratchDir(scratchRoot, source.name);
  const dumpDir = source.dump ? await scratchDir(scratchRoot, `${source.name}-dump`) : undefined;
  const live = join(host.dataDir, source.name);
  const aside = join(host.dataDir, '.pre-restore', stamp, source.name);
  const discard = async () => {
    await rm(staging, { recursive: true, force: true });
    if (dumpDir) await rm(dumpDir, { recursive: true, force: true });
  };
  try {
    const files = await restore(source.tree, staging, source.name);
    // A dump counts with the files: what a restore reports is everything it brought back.
    const dump = source.dump && dumpDir ? await restore(source.dump, dumpDir, source.name) : { files: 0, bytes: 0 };
    const counts = { files: files.files + dump.files, bytes: files.bytes + dump.bytes };
    const load = state?.load as StateHook | undefined;
    if (dumpDir && !load) {
      throw new HearthError('HEARTH_ERR_BACKUP_DUMP_FAILED', `the snapshot holds a dump of plugin '${source.name}', but no plugin '${source.name}' in the host file has a load hook for it; add the plugin to the host file, or restore with --to DIR and load dumps/${source.name} by hand`);
    }
    return {
      async commit() {
        await swapPluginState(staging, live, paths, aside);
        if (dumpDir && load) {
          try {
            await load.call(state, dumpDir, { dataDir: live, config: entry!.config, host, logger: environment.logger.child({ plugin: source.name }), previousDir: aside });
          } catch (error) {
            const kept = (await pathExists(aside)) ? `the previous ones are in ${aside}` : 'there were none before';
            throw new HearthError('HEARTH_ERR_BACKUP_DUMP_FAILED', `plugin '${source.name}' failed to load its restored dump: ${describeError(error)}; its files were restored, ${kept}`, { cause: error });
          }
        }
        // The state moved aside, and what a load hook kept there; nothing when the plugin had no state yet.
        return { kind: 'plugin', name: source.name, location: live, ...counts, ...((await pathExists(aside)) ? { previous: aside } : {}) };
      },
      discard,
    };
  } catch (error) {
    await discard();
    throw error;
  }
}

async function preparePath(source: SnapshotSource, context: PrepareContext, skipped: string[]): Promise<PreparedSource | undefined> {
  const { environment, snapshot, stamp, restore } = context;
  // Paths are the same on every stage of a machine: another host's or stage's copy would
  // overwrite the live one of that host or stage.
  if (snapshot.snapshot.host !== environment.hostName || snapshot.snapshot.stage !== environment.stage) {
    skipped.push(`path '${source.name}' (${source.path ?? '?'}): it belongs to ${snapshot.snapshot.host}@${snapshot.snapshot.stage}; restore it with --to DIR`);
    return undefined;
  }
  const configured = environment.config.paths.find((p) => p.name === source.name);
  if (!configured) {
    skipped.push(`path '${source.name}' (${source.path ?? '?'}): not configured on host '${environment.host.name}'; restore it with --to DIR`);
    return undefined;
  }
  const staging = await scratchDir(join(configured.path, '..'), `.${source.name}.restore`);
  const discard = () => rm(staging, { recursive: true, force: true });
  try {
    const counts = await restore(source.tree, staging, source.name);
    // A file's tree holds it under the name it had when it was backed up.
    const fileName = source.pathType === 'file' ? basename(source.path ?? configured.path) : undefined;
    const previous = `${configured.path}.pre-restore-${stamp}`;
    return {
      async commit() {
        await swapPath(staging, configured.path, fileName, stamp);
        return { kind: 'path', name: source.name, location: configured.path, ...counts, ...((await pathExists(previous)) ? { previous } : {}) };
      },
      discard,
    };
  } catch (error) {
    await discard();
    throw error;
  }
}

async function prepareCommand(source: SnapshotSource, context: PrepareContext): Promise<PreparedSource> {
  // Command output is not live state: it is written where the operator can load it by hand.
  const dir = join(context.environment.dataDir, 'restored', `${context.snapshot.id.slice(0, 8)}-${context.stamp}`);
  const counts = await context.restore(source.tree, dir, source.name);
  const restored: RestoredSource = { kind: 'command', name: source.name, location: join(dir, source.name), ...counts };
  return { commit: async () => restored, discard: async () => undefined };
}

/** Restores one source into scratch space; undefined (with a note in `skipped`) when it has no place here. */
export function prepareInPlace(source: SnapshotSource, context: PrepareContext, skipped: string[]): Promise<PreparedSource | undefined> {
  if (source.kind === 'plugin') return preparePlugin(source, context);
  if (source.kind === 'path') return preparePath(source, context, skipped);
  return prepareCommand(source, context);
}
