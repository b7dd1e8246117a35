/**
 * A running host holds its plugins' state open (a DuckDB file, a git repository mid-push), so
 * restoring that state in place is refused while the host runs. Two signs are checked: the marker
 * the backup plugin writes when its host starts (pid and machine, removed on stop), and the host's
 * HTTP port answering on this machine. Restoring with `--to DIR` touches nothing live and is allowed.
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
}

/** Writes the marker; returns what removes it. */
export async function markHostRunning(backupDataDir: string): Promise<() => Promise<void>> {
  const file = join(backupDataDir, RUNNING_MARKER);
  const marker: Marker = { pid: process.pid, machine: hostname(), startedAt: new Date().toISOString() };
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

/** Throws HEARTH_ERR_BACKUP_HOST_RUNNING when the host seems to run on this machine. */
export async function assertHostStopped(host: HostConfig, backupDataDir: string): Promise<void> {
  const marker = await markerHolder(backupDataDir);
  const address = host.listen === '0.0.0.0' || host.listen === '::' ? '127.0.0.1' : host.listen;
  const listening = marker === undefined && host.port > 0 && (await portAnswers(address, host.port));
  if (marker || listening) {
    const sign = marker ? `its process ${marker.pid} has been running since ${marker.startedAt}` : `something answers on its port ${address}:${host.port}`;
    throw new HearthError('HEARTH_ERR_BACKUP_HOST_RUNNING', `host '${host.name}' is running (${sign}); stop it first (e.g. \`systemctl stop hearth@${host.name}\`), then restore — or restore with --to DIR to inspect the files without touching it`);
  }
}
