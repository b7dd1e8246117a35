/**
 * `prune`: frees data no snapshot uses. Under an exclusive lock: index every pack (adopting
 * unindexed ones, so no blob a snapshot needs is ever judged unused), mark every blob the
 * snapshots reach, delete packs with nothing marked, and repack packs that are mostly unused by
 * copying their marked blobs — still sealed, never decrypted — into new packs. Then write one new
 * index, delete the old index files, and only then delete the old packs: a crash at any step
 * leaves a repository where every snapshot still restores.
 */
import type { Logger } from 'pino';
import { HearthError } from '../../../core/errors/HearthError.js';
import { PackBuilder } from '../format/pack.js';
import { encodeIndex, type IndexedPack } from '../format/repositoryIndex.js';
import { adoptUnindexedPacks } from './adoptPacks.js';
import { PREFIX, packKey } from './layout.js';
import { acquireLock, type LockOptions } from './lock.js';
import type { Repository } from './repository.js';

/** Options for {@link pruneRepository}. */
export interface PruneOptions {
  /** Repack a pack when at least this fraction of its bytes is unused (0..1). */
  readonly repackThreshold: number;
  readonly packSize: number;
  readonly host: string;
  readonly lock: Pick<LockOptions, 'waitMs' | 'staleMs' | 'refreshMs'>;
  readonly logger: Logger;
}

/** What prune did. */
export interface PruneResult {
  readonly packsDeleted: number;
  readonly packsRepacked: number;
  readonly packsWritten: number;
  readonly bytesFreed: number;
}

/** Packs per index file written by prune. */
const PACKS_PER_INDEX = 5000;

/** Removes unused data; see the module comment for the order that keeps it crash-safe. */
export async function pruneRepository(repo: Repository, options: PruneOptions): Promise<PruneResult> {
  const { logger } = options;
  const lock = await acquireLock(repo, { ...options.lock, exclusive: true, operation: 'prune', host: options.host }, logger);
  try {
    const { index, files: oldIndexFiles, damaged } = await repo.loadIndex();
    if (damaged.length > 0) throw new HearthError('HEARTH_ERR_BACKUP_CHECK_FAILED', `prune stopped: ${damaged.length} index file(s) are damaged; run \`hearth backup check\` first`);
    await adoptUnindexedPacks(repo, index, logger);
    const oldIndexes = await repo.listFileIds('index');

    const { snapshots, damaged: badSnapshots } = await repo.listSnapshots();
    if (badSnapshots.length > 0) throw new HearthError('HEARTH_ERR_BACKUP_CHECK_FAILED', `prune stopped: ${badSnapshots.length} snapshot(s) are damaged, so used data cannot be told from unused; run \`hearth backup check\``);
    const used = new Set<string>();
    for (const { snapshot } of snapshots) {
      for (const source of snapshot.sources) {
        for (const tree of [source.tree, source.dump]) {
          if (tree === undefined || used.has(tree)) continue;
          used.add(tree);
          for (const node of await repo.loadTree(index, tree)) for (const chunk of node.chunks ?? []) used.add(chunk);
        }
      }
    }

    const keep: IndexedPack[] = [];
    const remove: IndexedPack[] = [];
    const repack: IndexedPack[] = [];
    for (const pack of index.packs()) {
      // A blob stored twice counts only in the pack the index serves it from.
      const live = pack.blobs.filter((b) => used.has(b.id) && index.get(b.id)?.pack === pack.id);
      const liveBytes = live.reduce((sum, b) => sum + b.length, 0);
      const allBytes = pack.blobs.reduce((sum, b) => sum + b.length, 0);
      if (live.length === 0) remove.push(pack);
      else if (allBytes > 0 && (allBytes - liveBytes) / allBytes >= options.repackThreshold) repack.push({ ...pack, blobs: live });
      else keep.push(pack);
    }

    const written: IndexedPack[] = [];
    let builder = new PackBuilder();
    const close = async () => {
      if (builder.count === 0) return;
      const { id, parts, size, blobs } = builder.finish(repo.keys.sealing);
      builder = new PackBuilder();
      await repo.target.put(packKey(id), parts);
      written.push({ id, size, blobs });
    };
    for (const pack of repack) {
      const bytes = await repo.target.get(packKey(pack.id));
      for (const blob of pack.blobs) {
        builder.add({ id: blob.id, type: blob.type, codec: blob.codec, rawLength: blob.rawLength }, bytes.subarray(blob.offset, blob.offset + blob.length));
        if (builder.size >= options.packSize) await close();
      }
    }
    await close();

    const final = [...keep, ...written];
    for (let at = 0; at < final.length; at += PACKS_PER_INDEX) await repo.saveFile('index', encodeIndex(final.slice(at, at + PACKS_PER_INDEX)));
    const obsoleteIndexes = [...new Set([...oldIndexFiles, ...oldIndexes])];
    await repo.target.delete(obsoleteIndexes.map((id) => `${PREFIX.index}${id}`));
    const gone = [...remove, ...repack];
    await repo.target.delete(gone.map((p) => packKey(p.id)));
    const bytesFreed = gone.reduce((sum, p) => sum + (index.pack(p.id)?.size ?? 0), 0) - written.reduce((sum, p) => sum + p.size, 0);
    logger.info({ packsDeleted: remove.length, packsRepacked: repack.length, packsWritten: written.length, bytesFreed }, 'pruned the repository');
    return { packsDeleted: remove.length, packsRepacked: repack.length, packsWritten: written.length, bytesFreed };
  } finally {
    await lock.release();
  }
}
