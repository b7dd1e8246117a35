/**
 * Takes a pushed pack into a quarantine directory: streamed to disk under a size limit, its
 * SHA-1 trailer checked (a truncated or corrupted pack never gets further), every object's size
 * bounded (packScan.ts), then renamed `pack-<sha>.pack` and indexed with isomorphic-git's
 * `indexPack`, which writes the `.idx` beside it. isomorphic-git skips objects it cannot resolve,
 * so the index must name exactly as many distinct objects as the pack header announces. Only
 * after every check of the push passes is the pack moved into the repository
 * ({@link IncomingPack.adopt}); otherwise it is discarded and nothing was stored.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HearthError } from '../../../core/errors/HearthError.js';
import { syncDirectory } from '../../../core/services/syncDirectory.js';
import { scanPack } from './packScan.js';
import { isomorphicGit } from './isomorphicGit.js';

const PACK_HEADER_BYTES = 12;
const PACK_TRAILER_BYTES = 20;

/** A pack received into quarantine. */
export interface IncomingPack {
  /** The quarantine directory: a git directory holding just this pack. */
  readonly gitdir: string;
  /** Objects the pack holds (0 for a push that only deletes or re-points refs). */
  readonly objectCount: number;
  /** Bytes received. */
  readonly bytes: number;
  /** Milliseconds spent checking the pack's objects and indexing it (after the last byte arrived). */
  readonly indexMs: number;
  /** Moves the pack and its index into the repository (pack first, so the index never points nowhere). */
  adopt(repoGitdir: string): Promise<void>;
  /** Removes the quarantine directory. Safe to call after adopt, or twice. */
  discard(): Promise<void>;
}

/** Limits on what one push may send. */
export interface PackLimits {
  /** Bytes of the pack as sent. */
  readonly maxPackBytes: number;
  /** Bytes of any one object once inflated. */
  readonly maxObjectBytes: number;
}

/**
 * Writes `source` (the bytes after the command list) into `quarantineDir` and indexes it.
 * Throws HEARTH_ERR_GIT_PACK_TOO_LARGE past `maxPackBytes` (the caller drains the rest of the
 * request) and HEARTH_ERR_GIT_BAD_PACK for garbage, truncation or unresolvable objects; in both
 * cases the quarantine is already removed.
 */
export async function receivePack(source: AsyncIterable<Buffer>, quarantineDir: string, limits: PackLimits): Promise<IncomingPack> {
  const packDir = join(quarantineDir, 'objects', 'pack');
  await mkdir(packDir, { recursive: true });
  const discard = () => rm(quarantineDir, { recursive: true, force: true });
  try {
    const received = await writePack(source, join(packDir, 'incoming.tmp'), limits.maxPackBytes);
    const indexStarted = performance.now();
    if (received.bytes === 0) return emptyPack(quarantineDir, 0, discard);
    const objectCount = checkPack(received);
    if (objectCount === 0) return emptyPack(quarantineDir, received.bytes, discard);
    scanPack(await readFile(join(packDir, 'incoming.tmp')), objectCount, limits.maxObjectBytes);
    const name = `pack-${received.trailer.toString('hex')}`;
    await rename(join(packDir, 'incoming.tmp'), join(packDir, `${name}.pack`));
    await indexReceivedPack(quarantineDir, name, objectCount);
    return {
      gitdir: quarantineDir,
      objectCount,
      bytes: received.bytes,
      indexMs: performance.now() - indexStarted,
      async adopt(repoGitdir: string) {
        const target = join(repoGitdir, 'objects', 'pack');
        await rename(join(packDir, `${name}.pack`), join(target, `${name}.pack`));
        await rename(join(packDir, `${name}.idx`), join(target, `${name}.idx`));
        await syncDirectory(target);
      },
      discard,
    };
  } catch (error) {
    await discard();
    throw error;
  }
}

interface ReceivedPack {
  readonly bytes: number;
  readonly header: Buffer;
  readonly trailer: Buffer;
  readonly digest: Buffer;
}

async function writePack(source: AsyncIterable<Buffer>, path: string, maxBytes: number): Promise<ReceivedPack> {
  const handle = await open(path, 'w', 0o444);
  const hash = createHash('sha1');
  let header = Buffer.alloc(0);
  // The last 20 bytes seen so far: the trailer, unless more bytes follow, so they are hashed late.
  let tail = Buffer.alloc(0);
  let bytes = 0;
  try {
    for await (const chunk of source) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        throw new HearthError('HEARTH_ERR_GIT_PACK_TOO_LARGE', `the pushed pack is larger than the limit of ${maxBytes} bytes (maxPackBytes); push fewer or smaller files, or raise the limit`);
      }
      if (header.length < PACK_HEADER_BYTES) header = Buffer.concat([header, chunk.subarray(0, PACK_HEADER_BYTES - header.length)]);
      const combined = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
      const hashable = Math.max(0, combined.length - PACK_TRAILER_BYTES);
      hash.update(combined.subarray(0, hashable));
      tail = Buffer.from(combined.subarray(hashable));
      await handle.write(chunk);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, header, trailer: tail, digest: hash.digest() };
}

function checkPack(pack: ReceivedPack): number {
  if (pack.header.toString('latin1', 0, 4) !== 'PACK') {
    throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `the data after the push commands is not a git pack (it does not start with 'PACK')`);
  }
  if (pack.bytes < PACK_HEADER_BYTES + PACK_TRAILER_BYTES) {
    throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `the pack is ${pack.bytes} bytes, too short to hold a header and checksum: it is truncated`);
  }
  const version = pack.header.readUInt32BE(4);
  if (version !== 2) throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `pack version ${version} is not supported (only version 2)`);
  if (!pack.digest.equals(pack.trailer)) {
    throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', 'the pack checksum does not match its content: the pack is truncated or corrupted');
  }
  return pack.header.readUInt32BE(8);
}

/**
 * Indexes the quarantined pack with isomorphic-git. Its gitdir is the quarantine, which holds no
 * other object: a delta whose base is not in the pack (a thin pack) stays unresolved, and is
 * skipped by isomorphic-git, so the count of ids it returns is checked here.
 */
async function indexReceivedPack(quarantineDir: string, name: string, objectCount: number): Promise<void> {
  const filepath = join('objects', 'pack', `${name}.pack`);
  const { indexPack } = await isomorphicGit();
  let oids: readonly string[];
  try {
    ({ oids } = await indexPack({ fs, dir: quarantineDir, gitdir: quarantineDir, filepath, cache: {} }));
  } catch (error) {
    throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `the pack cannot be indexed: ${(error as Error).message}`, { cause: error });
  }
  if (oids.length < objectCount) {
    throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `${objectCount - oids.length} of the pack's ${objectCount} objects could not be resolved: their delta base is not in the pack (a thin pack); push from a complete clone`);
  }
  const distinct = new Set(oids).size;
  if (distinct !== objectCount) throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `the pack holds ${objectCount - distinct} duplicate object(s)`);
  // isomorphic-git writes the index without fsync; a push is acknowledged only once both files are durable.
  const handle = await open(join(quarantineDir, `${filepath.replace(/\.pack$/, '.idx')}`), 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function emptyPack(gitdir: string, bytes: number, discard: () => Promise<void>): IncomingPack {
  return { gitdir, objectCount: 0, bytes, indexMs: 0, adopt: async () => {}, discard };
}
