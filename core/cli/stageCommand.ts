/**
 * `hearth stage destroy NAME [HOST...]`: removes everything a stage owns — each plugin's remote
 * state (its destroy hook), the stage's storage prefix, and the hosts' data directories — after
 * printing what will go and getting a confirmation.
 */
import { rm, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { HearthError, joinErrors } from '../errors/HearthError.js';
import { DEFAULT_STAGE, type HostConfig } from '../config/types.js';
import { loadHostFile } from '../config/loadHostFile.js';
import { stageContext } from '../stage/stageContext.js';
import { fileOptions, println, type CliIO } from './io.js';
import { openOffline } from './offline.js';
import { pickHosts } from './startCommand.js';

function storageLabel(host: HostConfig): string {
  return host.storage.s3 ? `s3://${host.storage.s3.bucket}/${host.storage.s3.prefix}` : host.storage.dir;
}

async function confirm(io: CliIO, stage: string, assumeYes: boolean): Promise<void> {
  if (assumeYes) return;
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new HearthError('HEARTH_ERR_STAGE_UNCONFIRMED', `not a terminal: pass --yes to destroy stage '${stage}'`);
  const rl = createInterface({ input: stdin, output: io.err as NodeJS.WritableStream });
  try {
    const answer = await rl.question(`Type the stage name (${stage}) to destroy it: `);
    if (answer.trim() !== stage) throw new HearthError('HEARTH_ERR_STAGE_UNCONFIRMED', 'the answer did not match; nothing was destroyed');
  } finally {
    rl.close();
  }
}

/** Registers `stage`. */
export function registerStage(program: Command, io: CliIO): void {
  const stage = program.command('stage').description('manage stages (isolated copies of the fleet, e.g. staging)');
  stage
    .command('destroy')
    .description("remove a stage's state: plugins' remote state, its storage prefix, and data directories")
    .argument('<name>', 'the stage')
    .argument('[hosts...]', 'only these hosts (default: all)')
    .option('-f, --file <file>', 'host file (default: $HEARTH_FILE, else ./hosts.yaml)')
    .option('--yes', 'do not ask for confirmation')
    .option('--force-production', `allow destroying the default stage (${DEFAULT_STAGE})`)
    .action(async function destroy(this: Command, name: string, names: string[], options: { yes?: boolean; forceProduction?: boolean }) {
      if (name === DEFAULT_STAGE && !options.forceProduction) {
        throw new HearthError('HEARTH_ERR_STAGE_PRODUCTION', `refusing to destroy '${DEFAULT_STAGE}': pass --force-production if you really mean it`);
      }
      const { file } = fileOptions(this);
      const config = await loadHostFile({ ...(file ? { file } : {}), stage: name, env: io.env });
      const hosts = pickHosts(config, names, names.length === 0, io.env).map((h) => config.hosts[h]!);
      println(io.err, `Stage '${name}' — this removes:`);
      for (const host of hosts) {
        println(io.err, `  ${host.name}: ${host.dataDir}`);
        println(io.err, `  ${host.name}: storage ${storageLabel(host)}`);
        for (const plugin of host.plugins) if (plugin.definition.destroy) println(io.err, `  ${host.name}: remote state of plugin '${plugin.id}'`);
      }
      await confirm(io, name, options.yes === true);
      const failures: unknown[] = [];
      const ctx = stageContext(config.stage, config.portOffset);
      const storagesDone = new Set<string>();
      for (const host of hosts) {
        const offline = openOffline(config, host.name);
        try {
          for (const plugin of host.plugins) {
            if (!plugin.definition.destroy) continue;
            await plugin.definition
              .destroy({ config: plugin.config, hostName: host.name, stage: ctx, logger: offline.logger })
              .catch((error: unknown) => failures.push(new HearthError('HEARTH_ERR_HOST_STOP', `plugin '${plugin.id}' on '${host.name}' could not remove its state`, { cause: error })));
          }
          const label = storageLabel(host);
          if (!storagesDone.has(label)) {
            storagesDone.add(label);
            // The storage is already scoped to this stage's prefix (or directory): all of it goes.
            const removed = await offline.services.storage.deletePrefix('');
            println(io.err, `  removed ${removed} object(s) from ${label}`);
          }
        } catch (error) {
          failures.push(error);
        } finally {
          await offline.close();
        }
        if (!host.storage.s3) await rm(host.storage.dir, { recursive: true, force: true });
        await rm(host.dataDir, { recursive: true, force: true });
        // The stage's own directory (`<data root>/<stage>`) goes too once no other host's is in it.
        await rmdir(dirname(host.dataDir)).catch(() => undefined);
        println(io.err, `  removed ${host.dataDir}`);
      }
      if (failures.length > 0) throw joinErrors('HEARTH_ERR_HOST_STOP', `stage '${name}' was only partly destroyed:`, failures);
      println(io.err, `Stage '${name}' destroyed.`);
    });
}
