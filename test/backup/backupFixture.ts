/**
 * What the backup suites share: temporary directories, a repository on a real directory target
 * (the core's fs storage engine), sample state with the awkward cases (empty and multi-chunk files,
 * odd modes, old mtimes, a symlink), and a description of a directory tree precise enough to say
 * "byte-identical with modes and mtimes".
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readdir, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import { tempDir as makeTempDir } from '../helpers/tempDirs.js';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createStorage } from '../../core/services/storage/createStorage.js';
import { systemClock, type Clock } from '../../core/services/clock.js';
import { BackupTarget } from '../../plugins/backup/repository/target.js';
import { Repository } from '../../plugins/backup/repository/repository.js';
import type { BackupRunOptions } from '../../plugins/backup/repository/backupRun.js';

/** A cheap scrypt cost, so suites do not spend seconds deriving keys (the format is the same). */
export const TEST_KDF = { n: 1024, r: 8, p: 1 } as const;
export const PASSPHRASE = 'a long test passphrase';

export { removeTempDirs } from '../helpers/tempDirs.js';

/** A fresh temporary directory, removed by `removeTempDirs`. */
export function tempDir(prefix = 'hearth-backup-'): Promise<string> {
  return makeTempDir(prefix);
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A retried target over the core's fs storage engine in `dir`. */
export function directoryTarget(dir: string, logger = silentLogger()): BackupTarget {
  return new BackupTarget(createStorage({ engine: 'fs', dir }, logger), { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, logger, dir);
}

/** Creates a repository in `dir` (cheap key derivation) and returns it opened. */
export async function createRepository(dir: string, passphrase = PASSPHRASE): Promise<Repository> {
  return Repository.init(directoryTarget(dir), passphrase, { kdf: TEST_KDF });
}

/** Run options for a host, with small packs so even small state spans several. */
export function runOptions(scratchDir: string, overrides: Partial<BackupRunOptions> = {}, clock: Clock = systemClock): BackupRunOptions {
  return {
    host: 'services',
    stage: 'production',
    clock,
    logger: silentLogger(),
    lock: { waitMs: 0, staleMs: 60_000, refreshMs: 30_000 },
    packer: { packSize: 256 * 1024, compressConcurrency: 4, uploadConcurrency: 2, indexEvery: 4 },
    scratchDir,
    ...overrides,
  };
}

/** Writes state with the cases a restore must get exactly right. Returns its directory. */
export async function writeSampleState(dir: string): Promise<string> {
  await mkdir(join(dir, 'repos/example.com.git/objects'), { recursive: true });
  await writeFile(join(dir, 'repos/example.com.git/HEAD'), 'ref: refs/heads/main\n');
  await writeFile(join(dir, 'repos/example.com.git/objects/pack.bin'), randomBytes(3 * 1024 * 1024 + 17));
  await writeFile(join(dir, 'repos/example.com.git/description'), '');
  await writeFile(join(dir, 'notes.log'), 'GET /index.html 200\n'.repeat(5000));
  await writeFile(join(dir, 'deploy.sh'), '#!/bin/sh\necho deployed\n');
  await chmod(join(dir, 'deploy.sh'), 0o755);
  await writeFile(join(dir, 'readonly.conf'), 'frozen = true\n');
  await chmod(join(dir, 'readonly.conf'), 0o444);
  await mkdir(join(dir, 'private'), { mode: 0o700 });
  await writeFile(join(dir, 'private/key'), randomBytes(64));
  await symlink('repos/example.com.git/HEAD', join(dir, 'current'));
  const old = new Date('2021-06-01T12:34:56.789Z');
  await utimes(join(dir, 'notes.log'), old, old);
  await utimes(join(dir, 'repos/example.com.git'), old, old);
  return dir;
}

/** One entry of {@link describeTree}. */
export interface EntryDescription {
  readonly type: 'dir' | 'file' | 'symlink';
  readonly mode: number;
  /** Milliseconds, rounded: utimes keeps microseconds, so whole milliseconds must match. */
  readonly mtimeMs: number;
  readonly size?: number;
  readonly sha256?: string;
  readonly target?: string;
}

/** Every entry under `dir` by relative path: type, mode, mtime, and content hash. */
export async function describeTree(dir: string): Promise<Record<string, EntryDescription>> {
  const out: Record<string, EntryDescription> = {};
  async function walk(relative: string): Promise<void> {
    for (const name of (await readdir(join(dir, relative))).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      const absolute = join(dir, path);
      const stat = await lstat(absolute);
      const base = { mode: stat.mode & 0o7777, mtimeMs: Math.round(stat.mtimeMs) };
      if (stat.isSymbolicLink()) out[path] = { type: 'symlink', ...base, mode: 0, target: await readlink(absolute) };
      else if (stat.isDirectory()) {
        await walk(path);
        out[path] = { type: 'dir', ...base };
      } else {
        out[path] = { type: 'file', ...base, size: stat.size, sha256: createHash('sha256').update(await readFile(absolute)).digest('hex') };
      }
    }
  }
  await walk('');
  return out;
}
