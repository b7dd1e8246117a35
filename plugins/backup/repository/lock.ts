/**
 * Repository locks, as restic's: each running operation writes `locks/<random id>` (sealed: machine,
 * pid, host, operation, time) and refreshes it while it runs. Backups, checks and restores take
 * shared locks, so hosts sharing a target back up at the same time; forget and prune take an
 * exclusive lock, because they delete. A lock is stale, and removed by the next locker, when it
 * was not refreshed for `staleMs`, or when it was taken on this machine by a process that is gone
 * (a run killed with SIGKILL leaves its lock behind).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { HearthError } from '../../../core/errors/HearthError.js';
import { PREFIX, decodeRepositoryFile, encodeRepositoryFile } from './layout.js';
import type { Repository } from './repository.js';

/** Options for {@link acquireLock}. */
export interface LockOptions {
  readonly exclusive: boolean;
  /** What the lock is for, shown to whoever finds it (`backup`, `prune`…). */
  readonly operation: string;
  /** The Hearth host the operation works for. */
  readonly host: string;
  /** How long to wait for conflicting locks to go, in ms (0: fail at once). */
  readonly waitMs: number;
  /** A lock not refreshed for this long is stale, in ms. */
  readonly staleMs: number;
  /** How often a held lock is refreshed, in ms (well below `staleMs`). */
  readonly refreshMs: number;
}

/** What a lock object says. */
export interface LockInfo {
  readonly machine: string;
  readonly pid: number;
  readonly host: string;
  readonly operation: string;
  readonly exclusive: boolean;
  /** Last refresh (ISO 8601). */
  readonly time: string;
}

/** A held lock. */
export interface RepositoryLock {
  readonly key: string;
  /** Stops refreshing and removes the lock; safe to call twice. */
  release(): Promise<void>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when a lock can be removed: too old, or its process on this machine is gone. */
export function isStale(info: LockInfo, now: number, staleMs: number): boolean {
  if (now - Date.parse(info.time) > staleMs) return true;
  return info.machine === hostname() && info.pid !== process.pid && !processAlive(info.pid);
}

function describe(info: LockInfo): string {
  return `${info.exclusive ? 'an exclusive' : 'a shared'} lock for '${info.operation}' of host '${info.host}' (pid ${info.pid} on ${info.machine}, refreshed ${info.time})`;
}

/** Takes a lock, waiting up to `waitMs` for conflicting ones; HEARTH_ERR_BACKUP_LOCKED when they stay. */
export async function acquireLock(repo: Repository, options: LockOptions, logger: Logger): Promise<RepositoryLock> {
  const key = `${PREFIX.lock}${randomBytes(16).toString('hex')}`;
  const info = (): LockInfo => ({ machine: hostname(), pid: process.pid, host: options.host, operation: options.operation, exclusive: options.exclusive, time: new Date().toISOString() });
  const write = async () => repo.target.put(key, await encodeRepositoryFile(repo.keys.sealing, 'lock', Buffer.from(JSON.stringify(info()))));

  async function conflicts(): Promise<LockInfo[]> {
    const found: LockInfo[] = [];
    for (const object of await repo.target.list(PREFIX.lock)) {
      if (object.key === key) continue;
      let other: LockInfo;
      try {
        other = JSON.parse((await decodeRepositoryFile(repo.keys.sealing, 'lock', await repo.target.get(object.key))).toString('utf8')) as LockInfo;
      } catch (error) {
        if ((error as { code?: string }).code === 'HEARTH_ERR_STORAGE_NOT_FOUND') continue;
        // Unreadable: judged by its age alone.
        other = { machine: '?', pid: 0, host: '?', operation: 'unknown', exclusive: true, time: object.lastModified.toISOString() };
      }
      if (isStale(other, Date.now(), options.staleMs)) {
        logger.info({ lock: object.key, holder: describe(other) }, 'removing a stale repository lock');
        await repo.target.delete([object.key]);
        continue;
      }
      if (options.exclusive || other.exclusive) found.push(other);
    }
    return found;
  }

  const deadline = Date.now() + options.waitMs;
  for (let attempt = 0; ; attempt++) {
    let blocking = await conflicts();
    if (blocking.length === 0) {
      await write();
      // Someone may have written a lock between our listing and our write: look again.
      blocking = await conflicts();
      if (blocking.length === 0) break;
      await repo.target.delete([key]);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new HearthError('HEARTH_ERR_BACKUP_LOCKED', `the repository at ${repo.target.description} is held by ${describe(blocking[0]!)}; wait for it to finish, or remove the lock with \`hearth backup unlock HOST\` if that process is gone`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(remaining, 200 * 2 ** Math.min(attempt, 6) * (0.5 + Math.random()))));
  }

  let refreshing: Promise<void> | undefined;
  const timer = setInterval(() => {
    refreshing ??= write()
      .catch((error: unknown) => logger.warn({ err: error, lock: key }, 'could not refresh the repository lock'))
      .finally(() => (refreshing = undefined));
  }, options.refreshMs);
  timer.unref();
  let released = false;
  return {
    key,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      // A refresh still writing would bring the lock back after the delete.
      await refreshing;
      await repo.target.delete([key]);
    },
  };
}

/** Removes every lock (for `hearth backup unlock`, when the operator knows no run is active). */
export async function removeAllLocks(repo: Repository): Promise<number> {
  const keys = (await repo.target.list(PREFIX.lock)).map((o) => o.key);
  await repo.target.delete(keys);
  return keys.length;
}
