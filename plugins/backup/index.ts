/**
 * The backup plugin: encrypted, deduplicated snapshots of every plugin's declared state (plus
 * configured paths and command outputs) to a directory or an S3 bucket, on a schedule, with
 * retention, checks and a one-command restore. docs/plugins/backup.md describes the config, the
 * restore drill and the repository format.
 */
import { definePlugin, type PluginInstance } from '../../core/plugin/definition.js';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ScheduledJob } from '../../core/services/scheduler.js';
import { describeError } from '../../core/errors/HearthError.js';
import { throwConfigProblems } from '../../core/plugin/configProblems.js';
import { backupConfigProblems, backupConfigSchema } from './config.js';
import { backupErrors } from './errors.js';
import { latestSnapshot } from './repository/snapshotQuery.js';
import { BackupMetrics } from './runtime/backupMetrics.js';
import { openRepository, passphraseOf, scheduledRun, type BackupEnvironment, type ScheduledOutcome } from './runtime/backupJob.js';
import { backupCommands } from './runtime/commands.js';
import { localUrl, markHostRunning } from './runtime/hostGuard.js';
import { registerRunRoute } from './runtime/runRoute.js';

export { backupAlertRules, backupAlertRulesYaml } from './runtime/alertRules.js';
export { backupConfigSchema, BACKUP_DEFAULTS, type BackupConfig } from './config.js';

/** The name of the scheduled job. */
export const BACKUP_JOB = 'backup';

/** What the backup plugin's setup returns (`host.instance('backup')`). */
export interface BackupInstance extends PluginInstance {
  /** Runs a backup (then forget and prune, as scheduled runs do) now; a run already going is joined. */
  runNow(): Promise<ScheduledOutcome>;
  readonly metrics: BackupMetrics;
}

/** The backup plugin's definition. */
export const backupPlugin = definePlugin({
  id: 'backup',
  description: 'encrypted, deduplicated snapshots of every plugin state to a directory or S3; retention, check, restore',
  configSchema: backupConfigSchema,
  needs: ['scheduler', 'metrics', 'clock', 'tokens'],
  errors: backupErrors,
  commands: [backupCommands],
  checkConfig: ({ config }) => backupConfigProblems(config),
  setup(ctx): BackupInstance {
    const { config, logger } = ctx;
    throwConfigProblems('backup', backupConfigProblems(config));
    passphraseOf(config);
    const clock = ctx.services.clock;
    const environment: BackupEnvironment = { hostName: ctx.hostName, host: ctx.host, hostFile: ctx.file.file, stage: ctx.stage.name, config, logger, clock, dataDir: ctx.dataDir };
    const metrics = new BackupMetrics(ctx.services.metrics);
    let job: ScheduledJob | undefined;
    let removeMarker: (() => Promise<void>) | undefined;
    let running: Promise<ScheduledOutcome> | undefined;
    let baseline: Promise<void> | undefined;
    let succeeded = false;
    let server: Server | undefined;

    async function runOnce(): Promise<ScheduledOutcome> {
      const started = performance.now();
      try {
        const outcome = await scheduledRun(environment);
        succeeded = true;
        metrics.succeeded(outcome.snapshot.snapshot, clock.now(), (performance.now() - started) / 1000);
        metrics.repositoryBytes.set(outcome.repositoryBytes);
        if (outcome.maintenanceError !== undefined) logger.error({ err: outcome.maintenanceError }, `backup forget/prune failed: ${describeError(outcome.maintenanceError)}`);
        return outcome;
      } catch (error) {
        metrics.failed((performance.now() - started) / 1000);
        logger.error({ err: error }, `backup failed: ${describeError(error)}`);
        throw error;
      }
    }

    async function readBaseline(): Promise<void> {
      try {
        const repo = await openRepository(environment, { create: false });
        try {
          const latest = latestSnapshot((await repo.listSnapshots()).snapshots, ctx.hostName, ctx.stage.name);
          if (latest && !succeeded) metrics.lastSuccess.set(Date.parse(latest.snapshot.time) / 1000 + latest.snapshot.summary.durationMs / 1000);
        } finally {
          await repo.target.close();
        }
      } catch (error) {
        if ((error as { code?: string }).code !== 'HEARTH_ERR_BACKUP_NOT_INITIALIZED') logger.warn({ err: describeError(error) }, 'cannot read the last backup time from the repository');
      }
    }

    const instance: BackupInstance = {
      metrics,
      runNow() {
        running ??= runOnce().finally(() => (running = undefined));
        return running;
      },
      routes(app) {
        server = app.server;
        registerRunRoute(app, ctx.services.tokens, () => instance.runNow());
      },
      async start() {
        // The server listens by now: the marker tells `hearth backup run` where to ask (the port may be picked at start).
        const address = server?.address();
        const port = typeof address === 'object' && address !== null ? (address as AddressInfo).port : ctx.host.port;
        removeMarker = await markHostRunning(ctx.dataDir, port > 0 ? localUrl(ctx.host, port) : undefined);
        // Until a snapshot says otherwise, count from the start: a new host gets the full 26 h.
        metrics.lastSuccess.set(clock.now().getTime() / 1000);
        baseline = readBaseline();
        if (config.schedule !== 'off') {
          job = ctx.services.scheduler.schedule(BACKUP_JOB, config.schedule, () => instance.runNow().then(() => undefined, () => undefined), { jitterMs: config.jitterMs });
        }
      },
      async stop() {
        job?.stop();
        await baseline;
        await running?.catch(() => undefined);
        await removeMarker?.();
      },
    };
    return instance;
  },
});

export default backupPlugin;
