/**
 * The backup plugin's config (`hosts.<host>.plugins.backup`), with every default in one place and
 * the reason for each number.
 */
import { dirname, join, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Bytes, Millis, OneOf } from '../../core/config/schemaTypes.js';
import { s3Schema } from '../../core/config/schema.js';
import type { HostConfig, StorageConfig } from '../../core/config/types.js';
import type { PluginConfigProblem } from '../../core/plugin/definition.js';
import { isValidCron } from '../../core/services/scheduler.js';
import { SOURCE_NAME } from './format/snapshot.js';

const strict = { additionalProperties: false } as const;

/** Defaults, with why each is what it is. */
export const BACKUP_DEFAULTS = Object.freeze({
  passphraseEnv: 'HEARTH_BACKUP_PASSPHRASE',
  /** Twice a day, at 03:00 and 15:00 UTC: a lost half-day at worst, off the busiest hours. */
  schedule: '0 3,15 * * *',
  /** Up to 30 minutes: hosts sharing a target do not all start at once. */
  jitterMs: 30 * 60_000,
  /** Two days of every run, two weeks of dailies, two months of weeklies, a year of monthlies. */
  retention: { last: 4, daily: 14, weekly: 8, monthly: 12 },
  /** 16 MiB packs: few objects on S3, and a pack is cheap to re-upload after an interruption. */
  packSize: 16 * 1024 * 1024,
  /** Repack a pack once a fifth of it is unused: frees space without rewriting much. */
  repackThreshold: 0.2,
  /** One hour for a command (a large pg_dump); a hung command must not block backups forever. */
  commandTimeoutMs: 60 * 60_000,
  /** 5 attempts, 1 s doubling to 30 s: rides out a minute of target trouble, then reports it. */
  retry: { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 },
  /** Wait 10 minutes for a prune elsewhere; stale after 30 minutes without refresh (refreshed every 5). */
  lock: { waitMs: 10 * 60_000, staleMs: 30 * 60_000, refreshMs: 5 * 60_000 },
  /** S3 key prefix of the repository. Not stage-scoped: stages share it, so one stage restores another. */
  s3Prefix: 'hearth-backup/',
});

const count = () => Type.Optional(Type.Integer({ minimum: -1, description: 'periods to keep; -1 keeps all' }));

/** The config schema. */
export const backupConfigSchema = Type.Object(
  {
    target: Type.Object(
      {
        engine: OneOf(['fs', 's3'] as const, { default: 'fs' }),
        dir: Type.Optional(Type.String({ minLength: 1, description: 'fs: the repository directory; default <dataDir>/.backup (shared by stages)' })),
        s3: Type.Optional(s3Schema(BACKUP_DEFAULTS.s3Prefix)),
      },
      { ...strict, default: {} },
    ),
    passphraseEnv: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', default: BACKUP_DEFAULTS.passphraseEnv }),
    schedule: Type.String({ minLength: 1, default: BACKUP_DEFAULTS.schedule, description: 'cron expression (UTC), or "off"' }),
    jitterMs: Millis({ default: BACKUP_DEFAULTS.jitterMs }),
    retention: Type.Object({ last: count(), hourly: count(), daily: count(), weekly: count(), monthly: count(), yearly: count() }, { ...strict, default: BACKUP_DEFAULTS.retention }),
    prune: Type.Boolean({ default: true, description: 'prune unused data after each scheduled forget' }),
    paths: Type.Array(Type.Object({ name: Type.String({ pattern: SOURCE_NAME.source }), path: Type.String({ pattern: '^/' }) }, strict), { default: [] }),
    commands: Type.Array(
      Type.Object({ name: Type.String({ pattern: SOURCE_NAME.source }), run: Type.String({ minLength: 1 }), timeoutMs: Millis({ minimum: 1, default: BACKUP_DEFAULTS.commandTimeoutMs }) }, strict),
      { default: [] },
    ),
    packSize: Bytes({ minimum: 64 * 1024, maximum: 256 * 1024 * 1024, default: BACKUP_DEFAULTS.packSize }),
    retry: Type.Object(
      {
        attempts: Type.Integer({ minimum: 1, maximum: 20, default: BACKUP_DEFAULTS.retry.attempts }),
        baseDelayMs: Millis({ default: BACKUP_DEFAULTS.retry.baseDelayMs }),
        maxDelayMs: Millis({ default: BACKUP_DEFAULTS.retry.maxDelayMs }),
      },
      { ...strict, default: {} },
    ),
    lock: Type.Object(
      {
        waitMs: Millis({ default: BACKUP_DEFAULTS.lock.waitMs }),
        staleMs: Millis({ minimum: 1000, default: BACKUP_DEFAULTS.lock.staleMs }),
        refreshMs: Millis({ minimum: 100, default: BACKUP_DEFAULTS.lock.refreshMs }),
      },
      { ...strict, default: {} },
    ),
  },
  strict,
);

/** The validated, defaulted config. */
export type BackupConfig = Static<typeof backupConfigSchema>;

/** What the schema cannot check: the schedule is cron, an s3 target has its settings. Used at setup and by `hearth check`. */
export function backupConfigProblems(config: BackupConfig): PluginConfigProblem[] {
  const problems: PluginConfigProblem[] = [];
  if (config.schedule !== 'off' && !isValidCron(config.schedule)) {
    problems.push({ code: 'HEARTH_ERR_BACKUP_CONFIG', path: ['schedule'], message: `'${config.schedule}' is not a cron expression; use five fields like '0 3,15 * * *', or 'off'` });
  }
  if (config.target.engine === 's3' && !config.target.s3) {
    problems.push({ code: 'HEARTH_ERR_BACKUP_CONFIG', path: ['target'], message: "target engine 's3' needs target.s3 with at least a bucket" });
  }
  return problems;
}

/**
 * The repository's storage and a description of it for messages (never with credentials).
 * A relative `target.dir` is read from the host file's directory, as `dataDir` is.
 */
export function resolveTarget(config: BackupConfig, host: HostConfig, hostFile: string): { readonly storage: StorageConfig; readonly description: string } {
  const { target } = config;
  if (target.engine === 's3') {
    if (!target.s3) throw new TypeError("backup target engine 's3' needs target.s3 with at least a bucket");
    const s3 = target.s3;
    return {
      storage: { engine: 's3', dir: '', s3: { ...s3, prefix: s3.prefix } },
      description: `s3://${s3.bucket}/${s3.prefix}`,
    };
  }
  // host.dataDir is <dataDir>/<stage>/<host>; the repository sits beside the stages, so every
  // stage and host of this machine shares it. A stage name never starts with '.', so no clash.
  const dir = target.dir === undefined ? join(dirname(dirname(host.dataDir)), '.backup') : resolve(dirname(hostFile), target.dir);
  return { storage: { engine: 'fs', dir }, description: dir };
}
