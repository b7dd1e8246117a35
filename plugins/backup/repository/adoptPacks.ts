/**
 * Finds packs that no index file lists — uploaded by a run that was killed before it wrote their
 * index — and indexes them from their own headers, so the next run reuses their blobs instead of
 * uploading them again.
 */
import type { Logger } from 'pino';
import { describeError } from '../../../core/errors/HearthError.js';
import { TRAILER_BYTES, headerLengthOf, parsePackHeader } from '../format/pack.js';
import { encodeIndex, type IndexedPack, type RepositoryIndex } from '../format/repositoryIndex.js';
import { PREFIX, idOfKey, packKey } from './layout.js';
import { mapWithLimit } from './mapWithLimit.js';
import type { Repository } from './repository.js';

/** Bytes read from a pack's end in one request: a header of ~380 blobs fits, most packs hold fewer. */
const TAIL_BYTES = 16 * 1024;
/** Header reads at once. */
const PARALLELISM = 8;

/** Reads a pack's blob list from its header (one or two range requests). */
export async function readPackHeader(repo: Repository, id: string, size: number): Promise<IndexedPack> {
  const key = packKey(id);
  const tailStart = Math.max(0, size - TAIL_BYTES);
  let tail = await repo.target.get(key, { start: tailStart, end: size - 1 });
  const headerLength = headerLengthOf(tail, size);
  if (headerLength + TRAILER_BYTES > tail.length) {
    tail = await repo.target.get(key, { start: size - TRAILER_BYTES - headerLength, end: size - 1 });
  }
  const header = tail.subarray(tail.length - TRAILER_BYTES - headerLength, tail.length - TRAILER_BYTES);
  return { id, size, blobs: parsePackHeader(repo.keys.sealing, header, size) };
}

/** Packs present on the target, by id, with their sizes. */
export async function listPacks(repo: Repository): Promise<Map<string, number>> {
  const packs = new Map<string, number>();
  for (const object of await repo.target.list(PREFIX.data)) {
    const id = idOfKey(object.key, PREFIX.data);
    if (id !== undefined && object.key === packKey(id)) packs.set(id, object.size);
  }
  return packs;
}

/**
 * Indexes every pack on the target that the index does not know, writing one index file for them.
 * Packs whose header cannot be read are skipped with a warning (`hearth backup check` reports them).
 */
export async function adoptUnindexedPacks(repo: Repository, index: RepositoryIndex, logger: Logger): Promise<number> {
  const present = await listPacks(repo);
  const orphans = [...present].filter(([id]) => !index.hasPack(id));
  if (orphans.length === 0) return 0;
  const adopted = await mapWithLimit(orphans, PARALLELISM, async ([id, size]) => {
    try {
      return await readPackHeader(repo, id, size);
    } catch (error) {
      if ((error as { code?: string }).code === 'HEARTH_ERR_BACKUP_TARGET_UNREACHABLE') throw error;
      logger.warn({ pack: id, err: describeError(error) }, 'an unindexed pack has an unreadable header; leaving it for prune');
      return undefined;
    }
  });
  const packs = adopted.filter((p): p is IndexedPack => p !== undefined);
  if (packs.length === 0) return 0;
  await repo.saveFile('index', encodeIndex(packs));
  for (const pack of packs) index.addPack(pack);
  logger.info({ packs: packs.length }, 'indexed packs left by an interrupted run');
  return packs.length;
}
