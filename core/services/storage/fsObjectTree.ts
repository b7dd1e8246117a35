/**
 * The on-disk layout of the fs engine and the path checks that keep it inside its directory:
 *
 *     <dir>/objects/<key>   the content, one plain file per key
 *     <dir>/meta/<key>      the sidecar of each object (same relative path, so no key can collide with one)
 *     <dir>/tmp/            temp files; the same filesystem as both trees, so a rename is atomic
 *
 * Keys are checked before they get here, so a key is always a safe relative path; what this file
 * guards against is the directory itself: a symbolic link planted inside it is never followed, and
 * a key that would need a file and a folder of the same name is reported as a conflict.
 */
import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, realpath, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { HearthError } from '../../errors/HearthError.js';
import { compareKeys, keyProblem, quoteKey } from './storageKey.js';
import { fsFailure, isErrno } from './fsFailure.js';

/** Temp files older than this are leftovers of a crash and are removed on open, in milliseconds. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** The resolved folders of one fs storage. */
export interface FsTree {
  /** The storage directory, symlinks resolved. */
  readonly root: string;
  readonly objects: string;
  readonly meta: string;
  readonly tmp: string;
}

/** Creates (or opens) the layout under `dir` and clears temp files left by a crash. */
export async function openFsTree(dir: string): Promise<FsTree> {
  if (!isAbsolute(dir)) {
    throw new HearthError('HEARTH_ERR_STORAGE_BAD_CONFIG', `storage dir ${JSON.stringify(dir)} must be an absolute path`);
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const root = await realpath(dir);
    const tree = { root, objects: join(root, 'objects'), meta: join(root, 'meta'), tmp: join(root, 'tmp') };
    for (const folder of [tree.objects, tree.meta, tree.tmp]) await ensureFolder(folder);
    const devices = await Promise.all([tree.objects, tree.meta, tree.tmp].map(async (folder) => (await stat(folder)).dev));
    if (new Set(devices).size !== 1) {
      throw new HearthError(
        'HEARTH_ERR_STORAGE_BAD_CONFIG',
        `storage dir ${JSON.stringify(root)}: objects/, meta/ and tmp/ must be on one filesystem, or renames are not atomic; remove the mounts inside it`,
      );
    }
    await removeStaleTempFiles(tree.tmp);
    return tree;
  } catch (error) {
    if (error instanceof HearthError) throw error;
    throw fsFailure(error, 'open storage dir', dir);
  }
}

/** Where a key's content (`base` = tree.objects) or sidecar (`base` = tree.meta) lives. */
export function keyPath(base: string, key: string): string {
  return join(base, ...key.split('/'));
}

/**
 * Checks that the folders above `key` under `base` hold no symbolic link. Returns false when they
 * do not exist (so neither does the key); throws HEARTH_ERR_STORAGE_SYMLINK on a link.
 */
export async function parentIsInside(base: string, key: string): Promise<boolean> {
  const parent = dirname(keyPath(base, key));
  if (parent === base) return true;
  let resolved: string;
  try {
    resolved = await realpath(parent);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return false;
    throw error;
  }
  if (resolved !== parent) throw symlinkFound(key, parent);
  return true;
}

/** Creates the folders above `key` under `base`, refusing links and files in the way. */
export async function makeParentFolders(base: string, key: string): Promise<void> {
  if (await parentIsInside(base, key)) return;
  const segments = key.split('/').slice(0, -1);
  let folder = base;
  for (const segment of segments) {
    folder = join(folder, segment);
    try {
      await mkdir(folder, { mode: 0o755 });
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    const info = await lstat(folder);
    if (info.isSymbolicLink()) throw symlinkFound(key, folder);
    if (!info.isDirectory()) {
      throw new HearthError(
        'HEARTH_ERR_STORAGE_KEY_CONFLICT',
        `cannot store ${quoteKey(key)}: ${quoteKey(folder.slice(base.length + 1))} is an object, ` +
          'and a directory storage cannot also use it as a folder; delete it or choose another key',
      );
    }
  }
}

/** Removes the now-empty folders above `key` under `base`, stopping at the first that is not empty. */
export async function pruneEmptyFolders(base: string, key: string): Promise<void> {
  for (let folder = dirname(keyPath(base, key)); folder !== base && folder.startsWith(base); folder = dirname(folder)) {
    try {
      await rmdir(folder);
    } catch {
      return; // not empty, already gone, or in use by a concurrent put: all fine to leave
    }
  }
}

/**
 * Every key under `objects` that starts with `prefix`, in key order, read folder by folder with an
 * explicit stack (no recursion, so depth costs no stack frames). Links and names that are not valid
 * keys are skipped and reported to `onSkip`.
 */
export async function* walkKeys(objects: string, prefix: string, onSkip: (path: string, why: string) => void): AsyncGenerator<string> {
  const cut = prefix.lastIndexOf('/') + 1;
  const folderKey = prefix.slice(0, cut);
  const start = folderKey === '' ? objects : keyPath(objects, folderKey.slice(0, -1));
  if (folderKey !== '' && !(await parentIsInside(objects, `${folderKey}x`))) return;
  const stack = [{ folder: start, keyPrefix: folderKey, entries: await sortedEntries(start, prefix.slice(cut)), next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const entry = top.entries[top.next++];
    if (entry === undefined) {
      stack.pop();
      continue;
    }
    const path = join(top.folder, entry.name);
    const key = top.keyPrefix + entry.name;
    if (entry.isSymbolicLink()) onSkip(path, 'is a symbolic link');
    else if (keyProblem(key) !== undefined) onSkip(path, `is not a valid key: ${keyProblem(key) ?? ''}`);
    else if (entry.isDirectory()) stack.push({ folder: path, keyPrefix: `${key}/`, entries: await sortedEntries(path, ''), next: 0 });
    else if (entry.isFile()) yield key;
    else onSkip(path, 'is not a regular file');
  }
}

/**
 * A folder's entries that start with `namePrefix`, in key order. A folder sorts as its name plus
 * `/`, which is exactly where its keys fall among the files beside it.
 */
async function sortedEntries(folder: string, namePrefix: string): Promise<Dirent[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return []; // removed while we walked
    throw error;
  }
  const rank = (entry: Dirent): string => (entry.isDirectory() ? `${entry.name}/` : entry.name);
  return entries.filter((entry) => entry.name.startsWith(namePrefix)).sort((a, b) => compareKeys(rank(a), rank(b)));
}

function symlinkFound(key: string, path: string): HearthError {
  return new HearthError(
    'HEARTH_ERR_STORAGE_SYMLINK',
    `refusing ${quoteKey(key)}: ${JSON.stringify(path)} is or passes through a symbolic link, ` +
      'and the fs engine never follows links; replace it with a real folder',
  );
}

async function ensureFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o755 });
  const info = await lstat(folder);
  if (!info.isDirectory()) {
    throw new HearthError('HEARTH_ERR_STORAGE_SYMLINK', `${JSON.stringify(folder)} must be a real folder, not a link or a file`);
  }
}

async function removeStaleTempFiles(tmp: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(tmp)) {
    const path = join(tmp, name);
    const info = await lstat(path).catch(() => undefined);
    if (info !== undefined && info.isFile() && now - info.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(() => undefined);
  }
}
