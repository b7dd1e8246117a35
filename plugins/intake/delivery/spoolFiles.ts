/**
 * The spool's files on disk: their names (`<unix ms>-<batch id>.open` while filling, `.csv` once
 * sealed), durable writes, and recovery of what a previous run left behind.
 */
import { mkdir, readdir, readFile, rename, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { batchIdHex, type AccessBatch } from '../../../core/services/analytics/accessBatch.js';

/** A sealed batch file waiting for the store. */
export interface SpooledBatch extends AccessBatch {
  /** Size of the file in bytes. */
  readonly bytes: number;
}

/** The folder inside the spool where refused batches are kept for a person to look at. */
export const REJECTED_DIR = 'rejected';

const SPOOL_FILE = /^(\d{13})-([0-9a-f]{16})\.(open|csv)$/;

/** The base name (no extension) of a new batch file: creation time first, so names sort by age. */
export function batchBaseName(id: bigint, createdAt: number): string {
  return `${String(createdAt).padStart(13, '0')}-${batchIdHex(id)}`;
}


/** Writes every byte of `buffers` (a short `writev` is continued). */
export async function writeAll(handle: FileHandle, buffers: readonly Buffer[], bytes: number): Promise<void> {
  let rest: readonly Buffer[] = buffers;
  let left = bytes;
  while (left > 0) {
    const { bytesWritten } = await handle.writev(rest as Buffer[]);
    left -= bytesWritten;
    if (left > 0) rest = remainderOf(rest, bytesWritten);
  }
}

function remainderOf(buffers: readonly Buffer[], written: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = written;
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return rest;
}

/** Cuts a half-written last line off a file a crash left open and seals it; false if it was empty. */
async function sealLeftOpen(path: string, sealedPath: string): Promise<boolean> {
  const content = await readFile(path);
  const end = content.lastIndexOf(10) + 1;
  if (end === 0) {
    await rm(path, { force: true });
    return false;
  }
  if (end < content.length) await truncate(path, end);
  await rename(path, sealedPath);
  return true;
}

/**
 * Finds every batch a previous run left in `dir`, oldest first, each marked `mayBePartlyStored`
 * (the run may have stored it and died before deleting it). Leftover `.rest` files (a partial
 * replay in progress) are removed; `rejected/` is created and left alone.
 */
export async function recoverSpool(dir: string): Promise<SpooledBatch[]> {
  await mkdir(join(dir, REJECTED_DIR), { recursive: true, mode: 0o700 });
  const batches: SpooledBatch[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if (name.endsWith('.rest')) await rm(path, { force: true });
    const match = SPOOL_FILE.exec(name);
    if (!match) continue;
    const base = `${match[1]}-${match[2]}`;
    const file = join(dir, `${base}.csv`);
    if (match[3] === 'open' && !(await sealLeftOpen(path, file))) continue;
    const content = await readFile(file);
    let rows = 0;
    for (let index = content.indexOf(10); index >= 0; index = content.indexOf(10, index + 1)) rows++;
    batches.push({ id: BigInt(`0x${match[2]}`), file, rowCount: rows, bytes: content.length, mayBePartlyStored: true });
  }
  return batches;
}
