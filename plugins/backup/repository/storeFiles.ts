/**
 * Reads files into the repository and describes them as tree nodes. A file whose size, mtime,
 * ctime and inode match the previous snapshot's node is not read again (its chunks are reused, as
 * restic does); any other file is chunked, and only chunks the repository lacks are packed.
 */
import { close, open } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { BigIntStats } from 'node:fs';
import type { Logger } from 'pino';
import { HearthError } from '../../../core/errors/HearthError.js';
import { chunkStream, fileReader, type ByteReader } from '../format/chunkStream.js';
import { BlobType } from '../format/pack.js';
import { encodeTree, type TreeNode } from '../format/tree.js';
import { mapWithLimit } from './mapWithLimit.js';
import type { Packer } from './packer.js';
import type { Repository } from './repository.js';

const openFd = promisify(open);
const closeFd = promisify(close);

/** Files read at once: overlaps one file's reads with another's hashing; more only adds memory. */
const FILE_PARALLELISM = 3;

/** Counters of a run. */
export interface StoreStats {
  files: number;
  dirs: number;
  bytes: number;
}

/** What storing needs. */
export interface StoreContext {
  readonly repo: Repository;
  readonly packer: Packer;
  readonly stats: StoreStats;
  readonly logger: Logger;
}

function unreadable(path: string, error: unknown): HearthError {
  return new HearthError('HEARTH_ERR_BACKUP_SOURCE_UNREADABLE', `cannot read '${path}' for the backup (${(error as Error).message}); give the host's user read access or leave the path out`, { cause: error });
}

/** Chunks a byte source into the repository; returns its chunk ids and length. */
export async function storeBytes(context: StoreContext, read: ByteReader, sizeHint?: number): Promise<{ chunks: string[]; size: number }> {
  const { repo, packer } = context;
  const chunks: string[] = [];
  let size = 0;
  for await (const chunk of chunkStream(read, repo.chunker, sizeHint)) {
    const id = repo.keys.blobId(chunk);
    const hex = id.toString('hex');
    chunks.push(hex);
    size += chunk.length;
    if (!packer.has(hex)) await packer.add(BlobType.data, id, chunk);
  }
  return { chunks, size };
}

/** Stores a tree's nodes as a tree blob; returns its id. */
export async function storeTree(context: StoreContext, nodes: readonly TreeNode[]): Promise<string> {
  const plain = encodeTree(nodes);
  const id = context.repo.keys.blobId(plain);
  await context.packer.add(BlobType.tree, id, plain);
  return id.toString('hex');
}

async function storeFile(context: StoreContext, absolute: string, path: string, stat: BigIntStats, previous: TreeNode | undefined): Promise<TreeNode> {
  const node = { path, type: 'file' as const, mode: Number(stat.mode & 0o7777n), mtimeNs: stat.mtimeNs.toString(), ino: stat.ino.toString(), ctimeNs: stat.ctimeNs.toString() };
  const unchanged =
    previous?.type === 'file' && previous.size === Number(stat.size) && previous.mtimeNs === node.mtimeNs &&
    previous.ctimeNs === node.ctimeNs && previous.ino === node.ino && previous.chunks?.every((id) => context.packer.has(id));
  if (unchanged) {
    context.stats.bytes += previous.size!;
    return { ...node, size: previous.size!, chunks: previous.chunks! };
  }
  let fd: number;
  try {
    fd = await openFd(absolute, 'r');
  } catch (error) {
    throw unreadable(absolute, error);
  }
  try {
    const { chunks, size } = await storeBytes(context, fileReader(fd), Number(stat.size));
    context.stats.bytes += size;
    return { ...node, size, chunks };
  } finally {
    await closeFd(fd);
  }
}

interface Found {
  readonly absolute: string;
  readonly path: string;
  readonly stat: BigIntStats;
}

async function walk(root: string, path: string, found: Found[], logger: Logger): Promise<void> {
  const absolute = path === '' ? root : join(root, path);
  let stat: BigIntStats;
  try {
    stat = await lstat(absolute, { bigint: true });
  } catch (error) {
    // Vanished between listing and reading: normal churn in a live directory.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw unreadable(absolute, error);
  }
  if (stat.isDirectory()) {
    if (path !== '') found.push({ absolute, path, stat });
    let names: string[];
    try {
      names = await readdir(absolute);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw unreadable(absolute, error);
    }
    names.sort();
    for (const name of names) await walk(root, path === '' ? name : `${path}/${name}`, found, logger);
  } else if (stat.isFile() || stat.isSymbolicLink()) {
    found.push({ absolute, path, stat });
  } else {
    logger.debug({ path: absolute }, 'skipping a socket, FIFO or device file');
  }
}

/**
 * Stores the files under `root` named by `entries` (relative paths; `.` is all of `root`), in path
 * order. Entries that do not exist are skipped: a plugin may not have created its state yet.
 */
export async function storeDirectory(context: StoreContext, root: string, entries: readonly string[], previous?: ReadonlyMap<string, TreeNode>): Promise<TreeNode[]> {
  const found: Found[] = [];
  for (const entry of [...new Set(entries)].sort()) await walk(root, entry === '.' ? '' : entry, found, context.logger);
  return mapWithLimit(found, FILE_PARALLELISM, async ({ absolute, path, stat }): Promise<TreeNode> => {
    const mode = Number(stat.mode & 0o7777n);
    const mtimeNs = stat.mtimeNs.toString();
    if (stat.isDirectory()) {
      context.stats.dirs++;
      return { path, type: 'dir', mode, mtimeNs };
    }
    if (stat.isSymbolicLink()) return { path, type: 'symlink', mode, mtimeNs, target: await readlink(absolute) };
    context.stats.files++;
    return storeFile(context, absolute, path, stat, previous?.get(path));
  });
}
