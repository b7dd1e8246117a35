/**
 * A real Alertmanager (Debian's prometheus-alertmanager) on loopback, for comparing Hearth's
 * webhook messages with the ones Alertmanager itself sends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** The Alertmanager binary Debian installs. */
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

/** A running Alertmanager. */
export interface RunningAlertmanager {
  /** Base URL including the external path, e.g. http://127.0.0.1:40000/monitoring */
  readonly url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts Alertmanager with `config` and waits until its API answers. */
export async function startAlertmanager(config: object, externalURL: string): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-alertmanager-'));
  await writeFile(join(dir, 'alertmanager.yml'), stringify(config));
  const port = await freePort();
  const path = new URL(externalURL).pathname.replace(/\/+$/, '');
  const child: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=', `--web.external-url=${externalURL}`, '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const spawnFailed = new Promise<never>((_, reject) =>
    child.on('error', (error) => reject(new Error(`${ALERTMANAGER_BIN} did not start (apt-get install prometheus-alertmanager): ${error.message}`))),
  );
  const url = `http://127.0.0.1:${port}${path}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const ready = (async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        if ((await fetch(`${url}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`alertmanager exited: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`alertmanager did not become ready: ${stderr}`);
  })();
  try {
    await Promise.race([ready, spawnFailed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** Posts alerts to Alertmanager's v2 API. */
export async function postAlerts(url: string, alerts: readonly object[]): Promise<void> {
  const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  if (!response.ok) throw new Error(`alertmanager refused the alerts: ${response.status} ${await response.text()}`);
}
