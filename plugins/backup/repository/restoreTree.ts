/**
 * Writes a tree's files into an empty directory, byte for byte, with their modes and mtimes.
 * Every node's path was checked when the tree was decoded (nothing escapes `targetDir`, nothing is
 * written through a restored symlink, and links are created last). Data is read pack by pack: one
 * range request per pack covers every blob the tree needs from it, and a codec worker opens those
 * blobs and writes each to every place it occurs. A blob that fails authentication stops the
 * restore with HEARTH_ERR_BACKUP_CORRUPT_DATA; callers restore into a scratch directory and only
 * move it into place once everything is written.
 */
import { chmod, lutimes, mkdir, open, symlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { BlobTarget } from '../format/codecPool.js';
import type { BlobLocation, RepositoryIndex } from '../format/repositoryIndex.js';
import type { TreeNode } from '../format/tree.js';
import { packKey } from './layout.js';
import { mapWithLimit } from './mapWithLimit.js';
import type { Repository } from './repository.js';

/** Packs in flight: one being read while the codec workers write the others. */
const PACK_PARALLELISM = 3;
/** Blobs per worker job, and their plaintext bytes: small enough to spread a pack over the workers. */
const JOB_BLOBS = 64;
const JOB_BYTES = 4 * 1024 * 1024;

/** Progress of a restore. */
export interface RestoreProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly filesDone: number;
  readonly filesTotal: number;
}

interface FilePlan {
  readonly node: TreeNode;
  readonly absolute: string;
  /** Bytes not written yet. */
  remaining: number;
}

interface BlobPlan extends BlobLocation {
  readonly targets: BlobTarget[];
  /** The multi-chunk files the targets write into (a one-chunk file is finished by its write). */
  readonly into: FilePlan[];
}

function seconds(nanos: string): number {
  return Number(BigInt(nanos) / 1000n) / 1e6;
}

async function finish(absolute: string, node: TreeNode): Promise<void> {
  await chmod(absolute, node.mode);
  const mtime = seconds(node.mtimeNs);
  await utimes(absolute, mtime, mtime);
}

/** Plans which blob goes where; throws before anything is written if the index lacks a chunk. */
function plan(index: RepositoryIndex, files: readonly FilePlan[]): Map<string, Map<string, BlobPlan>> {
  const byPack = new Map<string, Map<string, BlobPlan>>();
  for (const file of files) {
    const chunks = file.node.chunks ?? [];
    let offset = 0;
    for (const id of chunks) {
      const location = index.get(id);
      if (!location) {
        throw new HearthError('HEARTH_ERR_BACKUP_MISSING_DATA', `chunk ${id.slice(0, 12)} of '${file.node.path}' is in no indexed pack; run \`hearth backup check\`, then restore an older snapshot`);
      }
      let blobs = byPack.get(location.pack);
      if (!blobs) byPack.set(location.pack, (blobs = new Map()));
      let blob = blobs.get(id);
      if (!blob) blobs.set(id, (blob = { ...location, targets: [], into: [] }));
      if (chunks.length === 1) {
        blob.targets.push({ path: file.absolute, offset: 0, whole: { mode: file.node.mode, mtime: seconds(file.node.mtimeNs) } });
      } else {
        blob.targets.push({ path: file.absolute, offset });
        blob.into.push(file);
      }
      offset += location.rawLength;
    }
    if (offset !== file.node.size) {
      throw new HearthError('HEARTH_ERR_BACKUP_CORRUPT_DATA', `the chunks of '${file.node.path}' add up to ${offset} bytes, the snapshot says ${String(file.node.size)}; restore another snapshot`);
    }
  }
  return byPack;
}

/** Restores `nodes` into `targetDir` (which must exist and be empty). */
export async function restoreTree(repo: Repository, index: RepositoryIndex, nodes: readonly TreeNode[], targetDir: string, onProgress?: (progress: RestoreProgress) => void): Promise<{ files: number; bytes: number }> {
  const files: FilePlan[] = nodes.filter((n) => n.type === 'file').map((node) => ({ node, absolute: join(targetDir, node.path), remaining: node.size ?? 0 }));
  const byPack = plan(index, files);
  const progress = { bytesDone: 0, bytesTotal: files.reduce((sum, f) => sum + f.remaining, 0), filesDone: 0, filesTotal: files.length };

  const madeDirs = new Set<string>();
  const ensureDir = async (dir: string) => {
    if (madeDirs.has(dir)) return;
    // Writable by us until the end, whatever the directory's own mode.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    madeDirs.add(dir);
  };
  for (const node of nodes) if (node.type === 'dir') await ensureDir(join(targetDir, node.path));
  // Files of several chunks (and empty ones) are created and sized here; the workers write into them.
  for (const file of files) {
    await ensureDir(dirname(file.absolute));
    if (file.node.chunks?.length === 1) continue;
    const handle = await open(file.absolute, 'wx', 0o600);
    try {
      await handle.truncate(file.remaining);
    } finally {
      await handle.close();
    }
    if (file.remaining === 0) {
      await finish(file.absolute, file.node);
      progress.filesDone++;
    }
  }

  await mapWithLimit([...byPack], PACK_PARALLELISM, async ([pack, planned]) => {
    const blobs = [...planned.values()].sort((a, b) => a.offset - b.offset);
    const start = blobs[0]!.offset;
    const end = blobs[blobs.length - 1]!.offset + blobs[blobs.length - 1]!.length;
    const bytes = await repo.target.get(packKey(pack), { start, end: end - 1 });
    if (bytes.length !== end - start) {
      throw new HearthError('HEARTH_ERR_BACKUP_CORRUPT_DATA', `pack ${pack.slice(0, 12)} is shorter than its index says; run \`hearth backup check --read-data\``);
    }
    // Several jobs per pack, so both workers write (a pack of small files is thousands of files).
    const jobs: BlobPlan[][] = [];
    for (const blob of blobs) {
      const last = jobs[jobs.length - 1];
      if (last && last.length < JOB_BLOBS && last.reduce((sum, b) => sum + b.rawLength, 0) + blob.rawLength <= JOB_BYTES) last.push(blob);
      else jobs.push([blob]);
    }
    const settled = await Promise.allSettled(
      jobs.map((job) => {
        const from = job[0]!.offset - start;
        const to = job[job.length - 1]!.offset + job[job.length - 1]!.length - start;
        return repo.restoreBlobs(job, bytes.subarray(from, to), job[0]!.offset);
      }),
    );
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (const blob of blobs) {
      for (const target of blob.targets) {
        progress.bytesDone += blob.rawLength;
        if (target.whole) progress.filesDone++;
      }
      for (const file of blob.into) {
        file.remaining -= blob.rawLength;
        if (file.remaining === 0) {
          await finish(file.absolute, file.node);
          progress.filesDone++;
        }
      }
    }
    onProgress?.({ ...progress });
  });

  for (const node of nodes) {
    if (node.type !== 'symlink') continue;
    const absolute = join(targetDir, node.path);
    await ensureDir(dirname(absolute));
    await symlink(node.target!, absolute);
    const mtime = seconds(node.mtimeNs);
    await lutimes(absolute, mtime, mtime);
  }
  // Deepest first: setting a directory's mtime must come after everything inside it is written.
  const dirs = nodes.filter((n) => n.type === 'dir').sort((a, b) => (a.path < b.path ? 1 : -1));
  for (const node of dirs) await finish(join(targetDir, node.path), node);
  return { files: files.length, bytes: progress.bytesTotal };
}
