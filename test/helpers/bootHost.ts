/**
 * Boots a real host in-process from a YAML string, the way `hearth start` does: the file is written
 * to a temporary directory (data directories land beside it), loaded with the full loader, and the
 * host started with its real HTTP server. Logs are kept in memory for assertions.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHostFile } from '../../core/config/loadHostFile.js';
import type { HearthConfig } from '../../core/config/types.js';
import { Host } from '../../core/host/host.js';
import type { Clock } from '../../core/services/clock.js';
import type { Scheduler } from '../../core/services/scheduler.js';

/** Options for {@link bootHost}. */
export interface BootOptions {
  /** The host to run (default: the file's only host). */
  readonly host?: string;
  readonly stage?: string;
  /** Variables for `${VAR}`, on top of process.env. */
  readonly env?: Readonly<Record<string, string>>;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  /** Reuse a directory (and so the data of an earlier boot), e.g. to restart a host. */
  readonly dir?: string;
}

/** A running host and what a test needs around it. */
export interface BootedHost {
  readonly host: Host;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The temporary directory holding the host file and data. */
  readonly dir: string;
  readonly config: HearthConfig;
  /** Log lines (JSON strings) the host wrote. */
  readonly logs: string[];
  /** Stops the host (idempotent). */
  stop(): Promise<void>;
  /** Stops the host and removes its directory. */
  dispose(): Promise<void>;
}

/** Writes `yaml` to a temporary host file, loads it and starts one host. */
export async function bootHost(yaml: string, options: BootOptions = {}): Promise<BootedHost> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'hearth-test-')));
  const file = join(dir, 'hosts.yaml');
  await writeFile(file, yaml);
  const config = await loadHostFile({ file, ...(options.stage ? { stage: options.stage } : {}), env: { ...process.env, ...options.env } });
  const names = Object.keys(config.hosts);
  const name = options.host ?? (names.length === 1 ? names[0]! : undefined);
  if (!name) throw new Error(`bootHost: the YAML has several hosts (${names.join(', ')}); pass { host }`);
  const logs: string[] = [];
  const host = Host.create(config, name, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    logDestination: { write: (line: string) => void logs.push(line) },
  });
  await host.start();
  return {
    host,
    url: host.url,
    dir,
    config,
    logs,
    stop: () => host.stop(),
    dispose: async () => {
      await host.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
