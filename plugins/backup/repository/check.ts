/**
 * `hearth backup check`: proves the repository can restore every snapshot. Without `readData` it
 * reads the metadata — every index file and snapshot decrypts, every indexed pack exists with the
 * indexed size, every tree loads and every chunk a snapshot needs is indexed. With `readData` it
 * also downloads every pack, checks its SHA-256 against its name, opens its header, and decrypts
 * and re-hashes every blob. Problems are collected, not thrown one at a time.
 */
import { describeError, isHearthError } from '../../../core/errors/HearthError.js';
import { TRAILER_BYTES, headerLengthOf, parsePackHeader } from '../format/pack.js';
import type { RepositoryIndex } from '../format/repositoryIndex.js';
import { listPacks } from './adoptPacks.js';
import { contentId, packKey } from './layout.js';
import { mapWithLimit } from './mapWithLimit.js';
import type { Repository } from './repository.js';

/** What a check found. */
export interface CheckReport {
  /** Problems that make some snapshot unrestorable, or data untrustworthy. */
  readonly errors: string[];
  /** Harmless findings (packs not indexed yet, data no snapshot uses). */
  readonly warnings: string[];
  readonly snapshots: number;
  readonly packs: number;
  readonly blobs: number;
  /** Packs downloaded and verified (readData only). */
  readonly packsRead: number;
}

/** Packs downloaded at once by `readData`. */
const READ_PARALLELISM = 2;

async function verifyPack(repo: Repository, index: RepositoryIndex, id: string, errors: string[]): Promise<void> {
  const key = packKey(id);
  const bytes = await repo.target.get(key);
  if (contentId(bytes) !== id) {
    errors.push(`pack ${id.slice(0, 12)}: its bytes do not hash to its name (damaged on the target)`);
    return;
  }
  try {
    const headerLength = headerLengthOf(bytes, bytes.length);
    const blobs = parsePackHeader(repo.keys.sealing, bytes.subarray(bytes.length - TRAILER_BYTES - headerLength, bytes.length - TRAILER_BYTES), bytes.length);
    for (const blob of blobs) {
      const location = { ...blob, pack: id };
      const plain = await repo.openBlob(location, bytes.subarray(blob.offset, blob.offset + blob.length));
      if (repo.keys.blobId(plain).toString('hex') !== blob.id) errors.push(`pack ${id.slice(0, 12)}: blob ${blob.id.slice(0, 12)} does not match its id`);
      const indexed = index.pack(id)?.blobs.find((b) => b.id === blob.id);
      if (index.hasPack(id) && (!indexed || indexed.offset !== blob.offset || indexed.length !== blob.length)) {
        errors.push(`pack ${id.slice(0, 12)}: blob ${blob.id.slice(0, 12)} sits elsewhere than the index says`);
      }
    }
  } catch (error) {
    if (isHearthError(error, 'HEARTH_ERR_BACKUP_TARGET_UNREACHABLE')) throw error;
    errors.push(`pack ${id.slice(0, 12)}: ${describeError(error)}`);
  }
}

/** Checks the repository; see the module comment for what each level reads. */
export async function checkRepository(repo: Repository, options: { readonly readData: boolean }): Promise<CheckReport> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const { index, damaged: badIndexes } = await repo.loadIndex();
  for (const bad of badIndexes) errors.push(`${bad.key}: ${describeError(bad.error)}`);

  const present = await listPacks(repo);
  for (const pack of index.packs()) {
    const size = present.get(pack.id);
    if (size === undefined) errors.push(`pack ${pack.id.slice(0, 12)} is indexed but missing from the target`);
    else if (size !== pack.size) errors.push(`pack ${pack.id.slice(0, 12)} has ${size} bytes on the target, ${pack.size} in the index`);
  }
  for (const id of present.keys()) if (!index.hasPack(id)) warnings.push(`pack ${id.slice(0, 12)} is not indexed yet (left by an interrupted run; the next backup indexes it)`);

  const { snapshots, damaged: badSnapshots } = await repo.listSnapshots();
  for (const bad of badSnapshots) errors.push(`${bad.key}: ${describeError(bad.error)}`);
  for (const { id, snapshot } of snapshots) {
    for (const source of snapshot.sources) {
      for (const tree of [source.tree, source.dump]) {
        if (tree === undefined) continue;
        try {
          const nodes = await repo.loadTree(index, tree);
          const missing = nodes.flatMap((n) => n.chunks ?? []).filter((chunk) => !index.has(chunk));
          if (missing.length > 0) errors.push(`snapshot ${id.slice(0, 8)} ${source.kind} '${source.name}': ${missing.length} chunk(s) missing, e.g. ${missing[0]!.slice(0, 12)}`);
        } catch (error) {
          if (isHearthError(error, 'HEARTH_ERR_BACKUP_TARGET_UNREACHABLE')) throw error;
          errors.push(`snapshot ${id.slice(0, 8)} ${source.kind} '${source.name}': ${describeError(error)}`);
        }
      }
    }
  }

  let packsRead = 0;
  if (options.readData) {
    await mapWithLimit([...present.keys()], READ_PARALLELISM, async (id) => {
      await verifyPack(repo, index, id, errors);
      packsRead++;
    });
  }
  return { errors, warnings, snapshots: snapshots.length, packs: present.size, blobs: index.blobCount, packsRead };
}
