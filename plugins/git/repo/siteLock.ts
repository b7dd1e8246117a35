/**
 * One writer per site at a time. Inside the host process a queue per site orders pushes (the
 * second of two concurrent pushes waits, then fails its compare-and-swap cleanly). Across processes
 * — the host and a `hearth git rollback` run — a lock file made with O_EXCL guards the same
 * section; a lock whose process is gone (or is an earlier life of this pid) is taken over.
 */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HearthError } from '../../../core/errors/HearthError.js';

/** Identifies this process's locks, so a lock left by an earlier process with the same pid is stale. */
const PROCESS_TOKEN = randomBytes(8).toString('hex');
/** How often a waiting process retries a held lock file, in milliseconds. */
const RETRY_MS = 50;
/** Age in milliseconds after which an unreadable lock file is a crash's leftover, not a writer at work. */
const HALF_WRITTEN_STALE_MS = 5_000;

/** Per-site locks under one directory. */
export class SiteLocks {
  readonly #dir: string;
  readonly #queues = new Map<string, Promise<unknown>>();

  /** `dir` holds the lock files (created on first use). */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * Runs `task` holding the site's lock. Waits behind earlier tasks of this process; waits up to
   * `waitMs` for another process's lock, then throws HEARTH_ERR_GIT_LOCKED. `onWait` is called
   * once if the lock is not free at once.
   */
  async withLock<T>(site: string, waitMs: number, task: () => Promise<T>, onWait?: () => void): Promise<T> {
    const previous = this.#queues.get(site);
    let told = false;
    const tell = (): void => {
      if (!told) onWait?.();
      told = true;
    };
    if (previous) tell();
    const run = (previous ?? Promise.resolve()).catch(() => undefined).then(async () => {
      const release = await this.#acquireFile(site, waitMs, tell);
      try {
        return await task();
      } finally {
        await release();
      }
    });
    this.#queues.set(site, run);
    try {
      return await run;
    } finally {
      if (this.#queues.get(site) === run) this.#queues.delete(site);
    }
  }

  async #acquireFile(site: string, waitMs: number, onWait: () => void): Promise<() => Promise<void>> {
    await mkdir(this.#dir, { recursive: true });
    const path = join(this.#dir, `${encodeURIComponent(site)}.lock`);
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        const handle = await open(path, 'wx', 0o600);
        await handle.writeFile(JSON.stringify({ pid: process.pid, token: PROCESS_TOKEN }));
        await handle.close();
        return () => rm(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (await isStale(path)) {
        await rm(path, { force: true });
        continue;
      }
      onWait();
      if (Date.now() >= deadline) {
        throw new HearthError('HEARTH_ERR_GIT_LOCKED', `site '${site}' is locked by another deploy or rollback (${path}); try again when it has finished`);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

async function isStale(path: string): Promise<boolean> {
  let owner: { pid?: unknown; token?: unknown };
  try {
    owner = JSON.parse(await readFile(path, 'utf8')) as typeof owner;
  } catch {
    // Half-written: its writer is writing now, or died between create and write. Only the
    // second lasts, so an unreadable lock older than a few seconds is stale.
    const info = await stat(path).catch(() => undefined);
    return info === undefined || Date.now() - info.mtimeMs > HALF_WRITTEN_STALE_MS;
  }
  if (typeof owner.pid !== 'number') return true;
  if (owner.pid === process.pid) return owner.token !== PROCESS_TOKEN;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
