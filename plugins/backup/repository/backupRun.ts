/**
 * One backup run: lock (shared), load the index and adopt packs left by an interrupted run, read
 * every source against the previous snapshot of the same host and stage, store packs and index,
 * and write the snapshot manifest last. A failure anywhere leaves no snapshot behind; packs already
 * stored are indexed (or adopted next time) and reused by the next run.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../../core/services/clock.js';
import { HearthError, describeError, isHearthError } from '../../../core/errors/HearthError.js';
import type { Snapshot, SnapshotSource, StoredSnapshot } from '../format/snapshot.js';
import type { TreeNode } from '../format/tree.js';
import type { RepositoryIndex } from '../format/repositoryIndex.js';
import type { BackupSource } from '../sources/backupSource.js';
import { storeCommandOutput } from '../sources/commandOutput.js';
import { adoptUnindexedPacks } from './adoptPacks.js';
import { acquireLock, type LockOptions } from './lock.js';
import { Packer, type PackerOptions } from './packer.js';
import type { Repository } from './repository.js';
import { latestSnapshot } from './snapshotQuery.js';
import { storeDirectory, storeTree, type StoreContext } from './storeFiles.js';

/** Settings of a run. */
export interface BackupRunOptions {
  /** The Hearth host whose state this is. */
  readonly host: string;
  readonly stage: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lock: Pick<LockOptions, 'waitMs' | 'staleMs' | 'refreshMs'>;
  readonly packer: PackerOptions;
  /** Where dump hooks write, removed after each (inside the backup plugin's data directory). */
  readonly scratchDir: string;
}

async function previousTrees(repo: Repository, index: RepositoryIndex, parent: StoredSnapshot | undefined, logger: Logger): Promise<Map<string, Map<string, TreeNode>>> {
  const trees = new Map<string, Map<string, TreeNode>>();
  for (const source of parent?.snapshot.sources ?? []) {
    try {
      const nodes = await repo.loadTree(index, source.tree);
      trees.set(`${source.kind}:${source.name}`, new Map(nodes.map((n) => [n.path, n])));
    } catch (error) {
      if (isHearthError(error, 'HEARTH_ERR_BACKUP_TARGET_UNREACHABLE')) throw error;
      logger.warn({ source: source.name, err: describeError(error) }, 'cannot read the previous snapshot of a source; reading all its files');
    }
  }
  return trees;
}

async function storeSource(context: StoreContext, source: BackupSource, previous: Map<string, TreeNode> | undefined, options: BackupRunOptions, startedAt: Date): Promise<SnapshotSource> {
  if (source.kind === 'plugin') {
    if (!source.dump) return { kind: 'plugin', name: source.name, tree: await storeTree(context, await storeDirectory(context, source.root, source.paths, previous)) };
    // The dump first, then the files: a plugin can record in its dump the moment its files are
    // consistent from (the git plugin's refs), and what the copy adds after it is newer.
    const dir = await mkdtemp(join(options.scratchDir, `dump-${source.name}-`));
    try {
      try {
        await source.dump(dir);
      } catch (error) {
        throw new HearthError('HEARTH_ERR_BACKUP_DUMP_FAILED', `plugin '${source.name}' failed to dump its state: ${describeError(error)}`, { cause: error });
      }
      const tree = await storeTree(context, await storeDirectory(context, source.root, source.paths, previous));
      const dump = await storeTree(context, await storeDirectory(context, dir, ['.']));
      return { kind: 'plugin', name: source.name, tree, dump };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  if (source.kind === 'path') {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(source.path)).isDirectory();
    } catch (error) {
      throw new HearthError('HEARTH_ERR_BACKUP_SOURCE_UNREADABLE', `backup path '${source.name}' (${source.path}) cannot be read: ${(error as Error).message}; fix the path in the backup plugin's paths`, { cause: error });
    }
    const nodes = isDirectory
      ? await storeDirectory(context, source.path, ['.'], previous)
      : await storeDirectory(context, dirname(source.path), [basename(source.path)], previous);
    return { kind: 'path', name: source.name, path: source.path, pathType: isDirectory ? 'dir' : 'file', tree: await storeTree(context, nodes) };
  }
  const { chunks, size } = await storeCommandOutput(context, source.name, source.command, source.timeoutMs);
  context.stats.files++;
  context.stats.bytes += size;
  const node: TreeNode = { path: source.name, type: 'file', mode: 0o600, mtimeNs: (BigInt(startedAt.getTime()) * 1_000_000n).toString(), size, chunks };
  return { kind: 'command', name: source.name, tree: await storeTree(context, [node]) };
}

/** Runs one backup of `sources` and returns the snapshot written. */
export async function runBackup(repo: Repository, sources: readonly BackupSource[], options: BackupRunOptions): Promise<StoredSnapshot> {
  const { logger } = options;
  const started = performance.now();
  const startedAt = options.clock.now();
  const lock = await acquireLock(repo, { ...options.lock, exclusive: false, operation: 'backup', host: options.host }, logger);
  try {
    const { index } = await repo.loadIndex();
    await adoptUnindexedPacks(repo, index, logger);
    const parent = latestSnapshot((await repo.listSnapshots()).snapshots, options.host, options.stage);
    const previous = await previousTrees(repo, index, parent, logger);
    const packer = new Packer(repo, index, options.packer);
    const context: StoreContext = { repo, packer, stats: { files: 0, dirs: 0, bytes: 0 }, logger };
    const stored: SnapshotSource[] = [];
    try {
      for (const source of sources) stored.push(await storeSource(context, source, previous.get(`${source.kind}:${source.name}`), options, startedAt));
      await packer.flush();
    } catch (error) {
      // Keep what was stored usable (indexed) unless the target itself is failing.
      if (isHearthError(error, 'HEARTH_ERR_BACKUP_TARGET_UNREACHABLE')) await packer.abandon();
      else await packer.flush().catch(() => packer.abandon());
      throw error;
    }
    const snapshot: Snapshot = {
      version: 1,
      time: startedAt.toISOString(),
      host: options.host,
      stage: options.stage,
      machine: hostname(),
      ...(parent ? { parent: parent.id } : {}),
      sources: stored,
      summary: { ...context.stats, addedBytes: packer.addedBytes, addedPacks: packer.addedPacks, durationMs: Math.round(performance.now() - started) },
    };
    const id = await repo.saveSnapshot(snapshot);
    logger.info({ snapshot: id.slice(0, 8), ...snapshot.summary }, 'backup snapshot written');
    return { id, snapshot };
  } finally {
    await lock.release().catch((error: unknown) => logger.warn({ err: describeError(error) }, 'could not remove the repository lock'));
  }
}
