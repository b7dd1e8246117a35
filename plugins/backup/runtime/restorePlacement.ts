/**
 * Moving restored state into place. Everything is first restored into a scratch directory on the
 * same filesystem; only when all of it is written are the live paths renamed aside (kept under
 * `.pre-restore/`, so a restore can be undone by hand) and the restored ones renamed in. A failed
 * restore therefore never leaves a plugin with half its files.
 */
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { HearthError } from '../../../core/errors/HearthError.js';
import { pathExists } from '../../../core/services/pathExists.js';

/** A fresh, empty scratch directory `<parent>/<prefix>-<random>`. */
export async function scratchDir(parent: string, prefix: string): Promise<string> {
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const dir = join(parent, `${prefix}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/** A timestamp usable in a file name: `20240301T031500Z`. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Moves `from` to `to` (creating `to`'s parent) when `from` exists; returns whether it did. */
async function moveIfPresent(from: string, to: string): Promise<boolean> {
  if (!(await pathExists(from))) return false;
  await mkdir(dirname(to), { recursive: true, mode: 0o700 });
  await rename(from, to);
  return true;
}

/**
 * Replaces a plugin's state with a restored copy. `paths` are the plugin's declared state paths
 * (`.` for its whole directory); each live one is moved under `asideDir`, then the restored one in.
 */
export async function swapPluginState(restored: string, live: string, paths: readonly string[], asideDir: string): Promise<void> {
  if (paths.includes('.')) {
    await moveIfPresent(live, asideDir);
    await mkdir(dirname(live), { recursive: true });
    await rename(restored, live);
    return;
  }
  await mkdir(live, { recursive: true, mode: 0o700 });
  for (const path of paths) {
    await moveIfPresent(join(live, path), join(asideDir, path));
    await moveIfPresent(join(restored, path), join(live, path));
  }
  await rm(restored, { recursive: true, force: true });
}

/** Replaces a configured path (a directory, or a file when `fileName` is given) with its restored copy. */
export async function swapPath(restored: string, live: string, fileName: string | undefined, stamp: string): Promise<void> {
  await moveIfPresent(live, `${live}.pre-restore-${stamp}`);
  if (fileName === undefined) {
    await mkdir(dirname(live), { recursive: true });
    await rename(restored, live);
    return;
  }
  await moveIfPresent(join(restored, fileName), live);
  await rm(restored, { recursive: true, force: true });
}

/**
 * Prepares `--to DIR`: it must be absent or empty. Returns a scratch directory beside it to restore
 * into, and a function that moves the finished scratch directory to `DIR`.
 */
export async function prepareDestination(destination: string): Promise<{ readonly scratch: string; finish(): Promise<void> }> {
  let empty = true;
  try {
    empty = (await readdir(destination)).length === 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') empty = false;
    else if (code !== 'ENOENT') throw error;
  }
  if (!empty) {
    throw new HearthError('HEARTH_ERR_BACKUP_RESTORE_TARGET', `restore destination '${destination}' is not empty; give an empty or new directory with --to`);
  }
  const scratch = await scratchDir(dirname(destination), `.${destination.split('/').pop() ?? 'restore'}.partial`);
  return {
    scratch,
    async finish() {
      if (await pathExists(destination)) await rmdir(destination);
      await rename(scratch, destination);
    },
  };
}
