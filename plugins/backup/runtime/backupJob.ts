/**
 * The backup plugin's operations for one host, shared by the scheduled job (in the host process)
 * and the CLI (`hearth backup run|list|check|forget`, `hearth restore`): open the repository named
 * by the config with the passphrase from the environment, then back up, forget and prune.
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { HostConfig } from '../../../core/config/types.js';
import type { Clock } from '../../../core/services/clock.js';
import { createStorage } from '../../../core/services/storage/createStorage.js';
import { HearthError } from '../../../core/errors/HearthError.js';
import { BACKUP_DEFAULTS, resolveTarget, type BackupConfig } from '../config.js';
import type { StoredSnapshot } from '../format/snapshot.js';
import { hostSources, type BackupSource } from '../sources/backupSource.js';
import { runBackup } from '../repository/backupRun.js';
import type { PackerOptions } from '../repository/packer.js';
import { forgetSnapshots, type ForgetResult } from '../repository/forget.js';
import { pruneRepository, type PruneResult } from '../repository/prune.js';
import { isEmptyPolicy } from '../repository/retention.js';
import { Repository } from '../repository/repository.js';
import { BackupTarget } from '../repository/target.js';

/** Where the backup plugin works: one host of one stage. */
export interface BackupEnvironment {
  readonly hostName: string;
  readonly host: HostConfig;
  /** Absolute path of the host file (relative target directories are read from its directory). */
  readonly hostFile: string;
  readonly stage: string;
  readonly config: BackupConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The backup plugin's own data directory (scratch space for dumps, the running marker). */
  readonly dataDir: string;
  /** Where the passphrase variable is read (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Blobs in the codec workers at once: two per worker keeps each busy while the main thread hashes. */
const COMPRESS_CONCURRENCY = 4;
/**
 * Packs uploaded at once: hides S3 latency, and lets a directory target's fsyncs (content,
 * metadata and folders, per pack) overlap; bounded memory (16 MiB each).
 */
const UPLOAD_CONCURRENCY = 4;
/** Packs per index file during a run: an interrupted run re-reads at most this many pack headers. */
const INDEX_EVERY = 32;

/** The passphrase from the variable the config names; HEARTH_ERR_BACKUP_NO_PASSPHRASE when unset. */
export function passphraseOf(config: BackupConfig, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[config.passphraseEnv];
  if (!value) {
    throw new HearthError('HEARTH_ERR_BACKUP_NO_PASSPHRASE', `the backup passphrase is missing: set the environment variable ${config.passphraseEnv} (the backup plugin's passphraseEnv) for the host's service and for \`hearth\` commands`);
  }
  return value;
}

/** Opens the repository (creating it on first use when `create`); close it with `repo.target.close()`. */
export async function openRepository(environment: BackupEnvironment, options: { readonly create: boolean }): Promise<Repository> {
  const passphrase = passphraseOf(environment.config, environment.env);
  const { storage, description } = resolveTarget(environment.config, environment.host, environment.hostFile);
  const target = new BackupTarget(createStorage(storage, environment.logger), environment.config.retry, environment.logger, description);
  try {
    return options.create ? await Repository.openOrInit(target, passphrase) : await Repository.open(target, passphrase);
  } catch (error) {
    await target.close();
    throw error;
  }
}

/** The sources of the environment's host. */
export function sourcesOf(environment: BackupEnvironment): BackupSource[] {
  return hostSources(environment.host, environment.config, environment.logger);
}

/** How runs pack: the config's pack size with the concurrency settings above. */
export function packerOptions(packSize: number): PackerOptions {
  return { packSize, compressConcurrency: COMPRESS_CONCURRENCY, uploadConcurrency: UPLOAD_CONCURRENCY, indexEvery: INDEX_EVERY };
}

/** Lock settings from the config. */
function lockOptions(config: BackupConfig) {
  return { waitMs: config.lock.waitMs, staleMs: config.lock.staleMs, refreshMs: config.lock.refreshMs };
}

/** Backs up the host now; returns the snapshot. */
export async function backupHost(repo: Repository, environment: BackupEnvironment, sources = sourcesOf(environment)): Promise<StoredSnapshot> {
  await mkdir(environment.dataDir, { recursive: true, mode: 0o700 });
  return runBackup(repo, sources, {
    host: environment.hostName,
    stage: environment.stage,
    clock: environment.clock,
    logger: environment.logger,
    lock: lockOptions(environment.config),
    packer: packerOptions(environment.config.packSize),
    scratchDir: environment.dataDir,
  });
}

/** Applies the retention policy to the host's snapshots. */
export function forgetHost(repo: Repository, environment: BackupEnvironment, options: { readonly dryRun: boolean }): Promise<ForgetResult> {
  return forgetSnapshots(repo, {
    host: environment.hostName,
    stage: environment.stage,
    policy: environment.config.retention,
    dryRun: options.dryRun,
    lock: lockOptions(environment.config),
    logger: environment.logger,
  });
}

/** Frees data no snapshot uses. */
export function pruneHost(repo: Repository, environment: BackupEnvironment): Promise<PruneResult> {
  return pruneRepository(repo, {
    host: environment.hostName,
    packSize: environment.config.packSize,
    repackThreshold: BACKUP_DEFAULTS.repackThreshold,
    lock: lockOptions(environment.config),
    logger: environment.logger,
  });
}

/** Bytes of every object in the repository. */
export async function repositoryBytes(repo: Repository): Promise<number> {
  return (await repo.target.list('')).reduce((sum, o) => sum + o.size, 0);
}

/** What a scheduled run did. */
export interface ScheduledOutcome {
  readonly snapshot: StoredSnapshot;
  readonly forgotten: number;
  readonly prune?: PruneResult;
  /** Forget or prune failed after the snapshot was written: the backup itself succeeded. */
  readonly maintenanceError?: unknown;
  readonly repositoryBytes: number;
}

/** A scheduled run: back up, forget by the retention policy, prune when something was forgotten. */
export async function scheduledRun(environment: BackupEnvironment): Promise<ScheduledOutcome> {
  const repo = await openRepository(environment, { create: true });
  try {
    const snapshot = await backupHost(repo, environment);
    let forgotten = 0;
    let prune: PruneResult | undefined;
    let maintenanceError: unknown;
    try {
      if (!isEmptyPolicy(environment.config.retention)) {
        forgotten = (await forgetHost(repo, environment, { dryRun: false })).remove.length;
        if (forgotten > 0 && environment.config.prune) prune = await pruneHost(repo, environment);
      }
    } catch (error) {
      maintenanceError = error;
    }
    return {
      snapshot,
      forgotten,
      ...(prune ? { prune } : {}),
      ...(maintenanceError === undefined ? {} : { maintenanceError }),
      repositoryBytes: await repositoryBytes(repo),
    };
  } finally {
    await repo.target.close();
  }
}
