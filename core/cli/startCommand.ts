/**
 * `hearth start [HOST...|--all]`: runs hosts of the file in this process until SIGTERM or SIGINT,
 * then shuts down gracefully within the hosts' shutdownTimeoutMs and exits 0.
 */
import type { Command } from 'commander';
import { HearthError, joinErrors } from '../errors/HearthError.js';
import type { HearthConfig } from '../config/types.js';
import { Host } from '../host/host.js';
import { loadFor, println, withFileOptions, type CliIO } from './io.js';

/** Picks the hosts to run: named ones, --all, $HEARTH_HOST, or the file's only host. */
export function pickHosts(config: HearthConfig, names: readonly string[], all: boolean, env: CliIO['env']): string[] {
  const known = Object.keys(config.hosts);
  if (all) return known;
  const wanted = names.length > 0 ? [...names] : env.HEARTH_HOST ? [env.HEARTH_HOST] : known.length === 1 ? known : [];
  if (wanted.length === 0) {
    throw new HearthError('HEARTH_ERR_CONFIG_HOST_UNKNOWN', `name the host to start (one of: ${known.join(', ')}), set HEARTH_HOST, or pass --all`);
  }
  const unknown = wanted.filter((name) => !config.hosts[name]);
  if (unknown.length > 0) {
    throw new HearthError('HEARTH_ERR_CONFIG_HOST_UNKNOWN', `the host file has no host ${unknown.map((n) => `'${n}'`).join(', ')} (hosts: ${known.join(', ')})`);
  }
  return wanted;
}

/** Starts the hosts; all-or-nothing across hosts too. Returns them running. */
export async function startHosts(config: HearthConfig, names: readonly string[]): Promise<Host[]> {
  const hosts = names.map((name) => Host.create(config, name));
  const running: Host[] = [];
  for (const host of hosts) {
    try {
      await host.start();
      running.push(host);
    } catch (error) {
      const failures = await stopHosts(running).then(() => [], (stopError: unknown) => [stopError]);
      if (failures.length === 0) throw error;
      throw joinErrors('HEARTH_ERR_HOST_START', 'a host failed to start, and stopping the others failed too:', [error, ...failures]);
    }
  }
  return running;
}

/** Stops hosts in reverse order; one error names every failure. */
export async function stopHosts(hosts: readonly Host[]): Promise<void> {
  const failures: unknown[] = [];
  for (const host of [...hosts].reverse()) await host.stop().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw joinErrors('HEARTH_ERR_HOST_STOP', 'stopping failed:', failures);
}

/** Registers `start`. */
export function registerStart(program: Command, io: CliIO): void {
  withFileOptions(program.command('start'))
    .description('run hosts of the file until SIGTERM/SIGINT (default: $HEARTH_HOST, or the only host)')
    .argument('[hosts...]', 'hosts to run')
    .option('--all', 'run every host of the file in this process (for trying Hearth on one machine)')
    .action(async function start(this: Command, names: string[], options: { all?: boolean }) {
      // The plugins of the hosts to start check their configs first, as `hearth check` does:
      // every problem is reported, with its line, before any host sets anything up.
      const pick = (config: HearthConfig): string[] => pickHosts(config, names, options.all === true, io.env);
      const config = await loadFor(this, io, pick);
      const hosts = await startHosts(config, pick(config));
      for (const host of hosts) {
        println(io.err, `hearth: ${host.name} ready at ${host.url} (stage ${config.stage}; plugins: ${host.config.plugins.map((p) => p.id).join(', ') || 'none'})`);
      }
      const signal = await io.waitForStop();
      const limit = Math.max(...hosts.map((h) => h.config.http.shutdownTimeoutMs));
      println(io.err, `hearth: ${signal} received, stopping (at most ${limit} ms)`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HearthError('HEARTH_ERR_HOST_SHUTDOWN_TIMEOUT', `shutdown took longer than ${limit} ms; raise http.shutdownTimeoutMs or look for a plugin that hangs in stop()`)), limit);
        timer.unref();
      });
      try {
        await Promise.race([stopHosts(hosts), timeout]);
      } finally {
        clearTimeout(timer);
      }
      println(io.err, 'hearth: stopped');
    });
}
