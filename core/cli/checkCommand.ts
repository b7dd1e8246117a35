/**
 * `hearth check`: validates the host file — with every plugin's own config check, on every host —
 * and prints hosts -> plugins -> ports. Secrets never appear: they print as `<secret>`. Also runs
 * each host's dependency check, so a file that passes `check` can start.
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import type { HearthConfig, HostConfig } from '../config/types.js';
import { planPlugins } from '../plugin/dependencyGraph.js';
import { HearthError } from '../errors/HearthError.js';
import { loadFor, println, withFileOptions, type CliIO } from './io.js';

/** The JSON `hearth check --json` prints for one host. */
export interface CheckedHost {
  readonly name: string;
  readonly address: string;
  readonly listen: string;
  readonly port: number;
  readonly plugins: readonly string[];
  readonly dataDir: string;
  readonly storage: { readonly engine: string; readonly location: string };
  readonly analytics: { readonly engine: string; readonly location: string };
  readonly ports: readonly { readonly owner: string; readonly path: string; readonly port: number; readonly protocol: 'tcp' | 'udp' }[];
  /** Services the host's plugins need or want (text output shows storage and analytics only when used). */
  readonly services: readonly string[];
}

/** Summarises a host for output. */
export function describeHost(host: HostConfig): CheckedHost {
  const { storage, analytics } = host;
  return {
    name: host.name,
    address: host.address,
    listen: host.listen,
    port: host.port,
    plugins: host.plugins.map((p) => p.id),
    dataDir: host.dataDir,
    storage: { engine: storage.engine, location: storage.s3 ? `s3://${storage.s3.bucket}/${storage.s3.prefix}` : storage.dir },
    analytics: {
      engine: analytics.engine,
      location: analytics.clickhouse ? `${analytics.clickhouse.url} database ${analytics.clickhouse.database}` : analytics.duckdbFile,
    },
    ports: host.ports,
    services: [...new Set(host.plugins.flatMap((p) => [...(p.definition.needs ?? []), ...(p.definition.wants ?? [])]))].sort(),
  };
}

function dependencyProblems(config: HearthConfig): string[] {
  const problems: string[] = [];
  for (const host of Object.values(config.hosts)) {
    for (const problem of planPlugins(host.plugins).problems) problems.push(`host '${host.name}': ${problem}`);
  }
  return problems;
}

/** Registers `check`. */
export function registerCheck(program: Command, io: CliIO): void {
  withFileOptions(program.command('check'))
    .description('validate the host file; print hosts, plugins, ports and data directories')
    .option('--json', 'print the result as JSON')
    .action(async function check(this: Command, options: { json?: boolean }) {
      const config = await loadFor(this, io, true);
      const problems = dependencyProblems(config);
      if (problems.length > 0) {
        throw new HearthError('HEARTH_ERR_HOST_DEPENDENCIES', `plugin dependencies are not met:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      }
      const hosts = Object.values(config.hosts).map(describeHost);
      if (options.json) {
        println(io.out, JSON.stringify({ file: config.file, stage: config.stage, portOffset: config.portOffset, hosts, sites: Object.keys(config.sites), tokens: Object.keys(config.tokens) }, null, 2));
        return;
      }
      const where = relative(process.cwd(), config.file) || config.file;
      println(io.out, `${where}: ok — stage ${config.stage}${config.portOffset ? ` (ports +${config.portOffset})` : ''}, ${hosts.length} host(s), ${Object.keys(config.sites).length} site(s), ${Object.keys(config.tokens).length} token(s)`);
      for (const host of hosts) {
        println(io.out);
        println(io.out, `${host.name}  http://${host.address}:${host.port}  (listens on ${host.listen})`);
        println(io.out, `  plugins:   ${host.plugins.join(', ') || '(none)'}`);
        println(io.out, `  ports:     ${host.ports.map((p) => `${p.port}/${p.protocol} ${p.owner === 'http' ? 'http' : p.path.split('.plugins.')[1] ?? p.owner}`).join(', ')}`);
        println(io.out, `  data:      ${host.dataDir}`);
        if (host.services.includes('storage')) println(io.out, `  storage:   ${host.storage.engine} ${host.storage.location}`);
        if (host.services.includes('analytics')) println(io.out, `  analytics: ${host.analytics.engine} ${host.analytics.location}`);
      }
    });
}
