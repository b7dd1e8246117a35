/**
 * The backup plugin's command line: `hearth backup run|list|check|forget|prune|unlock|passphrase
 * HOST` and the top-level `hearth restore HOST`. Each opens the host's core services offline (the
 * host need not run) and the repository its backup config names.
 */
import type { Command } from 'commander';
import { loadHostFile } from '../../../core/config/loadHostFile.js';
import { openOffline as openOfflineFromFile } from '../../../core/cli/offline.js';
import type { CommandContext, OfflineServices, PluginCommand } from '../../../core/plugin/definition.js';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { BackupConfig } from '../config.js';
import { checkRepository } from '../repository/check.js';
import { removeAllLocks } from '../repository/lock.js';
import type { Repository } from '../repository/repository.js';
import { snapshotsOf } from '../repository/snapshotQuery.js';
import { newestFirst } from '../format/snapshot.js';
import { backupHost, forgetHost, openRepository, passphraseOf, pruneHost, type BackupEnvironment } from './backupJob.js';
import { formatBytes, formatRunLine, formatSnapshotLine, progressPrinter } from './commandOutput.js';
import { runningHost, type RunningHost } from './hostGuard.js';
import { runOnHost } from './hostClient.js';
import { restoreSnapshot } from './restoreSnapshot.js';

/** The variable `hearth backup passphrase` reads the new passphrase from. */
export const NEW_PASSPHRASE_ENV = 'HEARTH_BACKUP_NEW_PASSPHRASE';

/** The backup environment of `hostName`, using another host's backup config when it has none. */
export function offlineEnvironment(offline: OfflineServices, hostName: string, fallbackHost?: string): BackupEnvironment {
  const own = offline.host.plugins.find((p) => p.id === 'backup');
  const entry = own ?? (fallbackHost ? offline.config.hosts[fallbackHost]?.plugins.find((p) => p.id === 'backup') : undefined);
  if (!entry) {
    throw new HearthError('HEARTH_ERR_BACKUP_NOT_CONFIGURED', `host '${hostName}' runs no backup plugin${fallbackHost ? `, nor does '${fallbackHost}'` : ''}, so there is no repository to use; add \`backup: {}\` to its plugins`);
  }
  return {
    hostName,
    host: offline.host,
    hostFile: offline.config.file,
    stage: offline.stage.name,
    config: entry.config as BackupConfig,
    logger: offline.logger,
    clock: offline.services.clock,
    dataDir: offline.dataDirOf('backup'),
  };
}

async function withRepository<T>(context: CommandContext, hostName: string, create: boolean, work: (repo: Repository, environment: BackupEnvironment, offline: OfflineServices) => Promise<T>): Promise<T> {
  const offline = await context.openOffline(hostName);
  try {
    const environment = offlineEnvironment(offline, hostName);
    const repo = await openRepository(environment, { create });
    try {
      return await work(repo, environment, offline);
    } finally {
      await repo.target.close();
    }
  } finally {
    await offline.close();
  }
}

function registerGroup(group: Command, context: CommandContext): void {
  const out = (text: string) => context.out.write(`${text}\n`);
  group
    .command('run <host>')
    .description("back up the host's state now")
    .action(async (hostName: string) => {
      const offline = await context.openOffline(hostName);
      let running: RunningHost | undefined;
      try {
        running = await runningHost(offline.host, offline.dataDirOf('backup'));
      } finally {
        await offline.close();
      }
      if (running) {
        // The running host holds its state (an open DuckDB file): it takes the snapshot itself.
        const answer = await runOnHost(hostName, running);
        out(`${formatRunLine(answer)} (taken by the running host)`);
        if (answer.maintenanceError) out(`warning: forget/prune after the backup failed: ${answer.maintenanceError}`);
        return;
      }
      await withRepository(context, hostName, true, async (repo, environment) => out(formatRunLine(await backupHost(repo, environment))));
    });
  group
    .command('list <host>')
    .description("list the host's snapshots, newest first")
    .option('--all', 'every host and stage in the repository')
    .option('--json', 'one JSON object per line')
    .action(async (hostName: string, options: { all?: boolean; json?: boolean }) => {
      await withRepository(context, hostName, false, async (repo, environment) => {
        const all = (await repo.listSnapshots()).snapshots;
        const shown = options.all ? newestFirst(all) : snapshotsOf(all, environment.hostName, environment.stage);
        for (const stored of shown) out(options.json ? JSON.stringify({ id: stored.id, ...stored.snapshot }) : formatSnapshotLine(stored));
        if (!options.json) out(`${shown.length} snapshot(s) in ${repo.target.description}`);
      });
    });
  group
    .command('check <host>')
    .description('verify the repository; --read-data also downloads and decrypts every pack')
    .option('--read-data', 'read every pack')
    .action(async (hostName: string, options: { readData?: boolean }) => {
      await withRepository(context, hostName, false, async (repo) => {
        const report = await checkRepository(repo, { readData: options.readData === true });
        for (const warning of report.warnings) out(`warning: ${warning}`);
        for (const error of report.errors) out(`error: ${error}`);
        out(`checked ${report.snapshots} snapshots, ${report.packs} packs, ${report.blobs} blobs${options.readData ? `, read ${report.packsRead} packs` : ''}: ${report.errors.length} error(s)`);
        if (report.errors.length > 0) throw new HearthError('HEARTH_ERR_BACKUP_CHECK_FAILED', `the repository check found ${report.errors.length} problem(s) (listed above); restore from a snapshot the errors do not name, and run a new backup`);
      });
    });
  group
    .command('forget <host>')
    .description("remove the host's snapshots outside its retention policy")
    .option('--dry-run', 'only show what would be removed')
    .option('--prune', 'then free the data no snapshot uses')
    .action(async (hostName: string, options: { dryRun?: boolean; prune?: boolean }) => {
      await withRepository(context, hostName, false, async (repo, environment) => {
        const result = await forgetHost(repo, environment, { dryRun: options.dryRun === true });
        for (const kept of result.keep) out(`keep   ${formatSnapshotLine(kept.snapshot)}  (${kept.reasons.join(', ') || 'no policy'})`);
        for (const removed of result.remove) out(`${options.dryRun ? 'would remove' : 'remove'} ${formatSnapshotLine(removed)}`);
        if (options.prune && !options.dryRun) {
          const pruned = await pruneHost(repo, environment);
          out(`pruned: ${pruned.packsDeleted} packs deleted, ${pruned.packsRepacked} repacked, ${formatBytes(Math.max(0, pruned.bytesFreed))} freed`);
        }
      });
    });
  group
    .command('prune <host>')
    .description('free the data no snapshot uses')
    .action(async (hostName: string) => {
      await withRepository(context, hostName, false, async (repo, environment) => {
        const pruned = await pruneHost(repo, environment);
        out(`pruned: ${pruned.packsDeleted} packs deleted, ${pruned.packsRepacked} repacked, ${formatBytes(Math.max(0, pruned.bytesFreed))} freed`);
      });
    });
  group
    .command('unlock <host>')
    .description('remove every repository lock (only when no backup, prune or restore is running anywhere)')
    .action(async (hostName: string) => {
      await withRepository(context, hostName, false, async (repo) => out(`removed ${await removeAllLocks(repo)} lock(s)`));
    });
  group
    .command('passphrase <host>')
    .description(`change the repository passphrase to the value of $${NEW_PASSPHRASE_ENV}`)
    .action(async (hostName: string) => {
      await withRepository(context, hostName, false, async (repo, environment) => {
        const next = passphraseOf({ ...environment.config, passphraseEnv: NEW_PASSPHRASE_ENV });
        await repo.changePassphrase(next);
        out(`passphrase changed; set ${environment.config.passphraseEnv} to the new value wherever the host runs`);
      });
    });
}

async function openForRestore(command: Command, context: CommandContext, hostName: string): Promise<OfflineServices> {
  // A root command's -f/--stage are its own; the context reads the plugin group's.
  const { file, stage } = command.opts<{ file?: string; stage?: string }>();
  if (file === undefined && stage === undefined) return context.openOffline(hostName);
  return openOfflineFromFile(await loadHostFile({ ...(file ? { file } : {}), ...(stage ? { stage } : {}), env: process.env }), hostName);
}

function registerRestore(root: Command, context: CommandContext): void {
  root
    .command('restore <host>')
    .description("restore a host's state (or one plugin's) from a snapshot; the host must be stopped unless --to is given")
    .option('-f, --file <file>', 'host file (default: $HEARTH_FILE, else ./hosts.yaml)')
    .option('--stage <stage>', 'stage to restore into (default: production)')
    .option('--snapshot <id>', "snapshot id (prefix) or 'latest'", 'latest')
    .option('--plugin <id...>', 'restore only these plugins')
    .option('--to <dir>', 'restore into this empty directory instead of in place')
    .option('--from-host <host>', 'take the snapshot of another host')
    .option('--from-stage <stage>', 'take the snapshot of another stage (a restore drill: --stage staging --from-stage production)')
    .action(async function runRestore(this: Command, hostName: string, options: { snapshot: string; plugin?: string[]; to?: string; fromHost?: string; fromStage?: string }) {
      const offline = await openForRestore(this, context, hostName);
      try {
        const environment = offlineEnvironment(offline, hostName, options.fromHost);
        const repo = await openRepository(environment, { create: false });
        try {
          const progress = progressPrinter(context.err);
          const outcome = await restoreSnapshot(repo, environment, offline.config, {
            snapshot: options.snapshot,
            ...(options.plugin ? { plugins: options.plugin } : {}),
            ...(options.to ? { to: options.to } : {}),
            ...(options.fromHost ? { fromHost: options.fromHost } : {}),
            ...(options.fromStage ? { fromStage: options.fromStage } : {}),
          }, progress.update);
          progress.done();
          context.out.write(`restored snapshot ${outcome.snapshot.id.slice(0, 8)} of ${outcome.snapshot.snapshot.host} (${outcome.snapshot.snapshot.stage}, ${outcome.snapshot.snapshot.time})\n`);
          for (const r of outcome.restored) context.out.write(`  ${r.kind} ${r.name}: ${r.files} files, ${formatBytes(r.bytes)} -> ${r.location}${r.previous ? ` (previous state kept in ${r.previous})` : ''}\n`);
          for (const s of outcome.skipped) context.out.write(`  skipped ${s}\n`);
        } finally {
          await repo.target.close();
        }
      } finally {
        await offline.close();
      }
    });
}

/** The commands of the backup plugin. */
export const backupCommands: PluginCommand = {
  register({ group, root }, context) {
    registerGroup(group, context);
    registerRestore(root, context);
  },
};
