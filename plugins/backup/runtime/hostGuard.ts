/**
 * A running host holds its plugins' state open (a DuckDB file, a git repository mid-push), so
 * restoring that state in place is refused while the host runs, and `hearth backup run` asks the
 * running host to take the snapshot instead of reading the state from outside. Two signs are
 * checked: the marker the backup plugin writes when its host starts (pid, machine and the URL it
 * answers at; removed on stop), and the host's HTTP port answering on this machine. Restoring
 * with `--to DIR` touches nothing live and is allowed.
 */
import { connect } from 'node:net';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { HostConfig } from '../../../core/config/types.js';
import { HearthError } from '../../../core/errors/HearthError.js';

/** The marker's file name in the backup plugin's data directory. */
export const RUNNING_MARKER = 'host-running.json';

/** How long to wait for the host's port to answer, in ms: loopback answers in well under this. */
const PROBE_TIMEOUT_MS = 500;

interface Marker {
  readonly pid: number;
  readonly machine: string;
  readonly startedAt: string;
  /** Where the host's HTTP server answers on this machine (its port may have been picked at start). */
  readonly url?: string;
}

/** A host found running on this machine. */
export interface RunningHost {
  /** What shows it runs, for messages. */
  readonly sign: string;
  /** The base URL of its HTTP server on this machine (`http://127.0.0.1:8080`). */
  readonly url: string;
}

/** The address a local client connects to for a host listening on `listen`. */
function localAddress(listen: string): string {
  if (listen === '0.0.0.0') return '127.0.0.1';
  if (listen === '::') return '::1';
  return listen;
}

/** The base URL of a host's HTTP server listening on `port`, as seen from this machine. */
export function localUrl(host: HostConfig, port: number): string {
  const address = localAddress(host.listen);
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Writes the marker (with the URL the host answers at); returns what removes it. */
export async function markHostRunning(backupDataDir: string, url?: string): Promise<() => Promise<void>> {
  const file = join(backupDataDir, RUNNING_MARKER);
  const marker: Marker = { pid: process.pid, machine: hostname(), startedAt: new Date().toISOString(), ...(url ? { url } : {}) };
  await writeFile(file, JSON.stringify(marker));
  return () => rm(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function markerHolder(backupDataDir: string): Promise<Marker | undefined> {
  try {
    const marker = JSON.parse(await readFile(join(backupDataDir, RUNNING_MARKER), 'utf8')) as Marker;
    return marker.machine === hostname() && alive(marker.pid) ? marker : undefined;
  } catch {
    return undefined;
  }
}

function portAnswers(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The host, when it seems to run on this machine. */
export async function runningHost(host: HostConfig, backupDataDir: string): Promise<RunningHost | undefined> {
  const marker = await markerHolder(backupDataDir);
  if (marker) return { sign: `its process ${marker.pid} has been running since ${marker.startedAt}`, url: marker.url ?? localUrl(host, host.port) };
  const address = localAddress(host.listen);
  if (host.port > 0 && (await portAnswers(address, host.port))) return { sign: `something answers on its port ${address}:${host.port}`, url: localUrl(host, host.port) };
  return undefined;
}

/**
 * The systemd unit that runs a host, as docs/operations.md sets them up: `hearth@HOST` for
 * production, `hearth-STAGE@HOST` for another stage.
 */
export function unitName(hostName: string, stage: string): string {
  return stage === 'production' ? `hearth@${hostName}` : `hearth-${stage}@${hostName}`;
}

/** Throws HEARTH_ERR_BACKUP_HOST_RUNNING when the host seems to run on this machine. */
export async function assertHostStopped(host: HostConfig, backupDataDir: string, stage = 'production'): Promise<void> {
  const running = await runningHost(host, backupDataDir);
  if (running) {
    throw new HearthError('HEARTH_ERR_BACKUP_HOST_RUNNING', `host '${host.name}' is running (${running.sign}); stop it first (e.g. \`sudo systemctl stop ${unitName(host.name, stage)}\`), then restore — or restore with --to DIR to inspect the files without touching it`);
  }
}
