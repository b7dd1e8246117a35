/**
 * A private clickhouse-server for the suites: Debian's binary started as a child process on free
 * loopback ports, with its data, logs and config in a temp dir. Every wait is bounded and fails with
 * the server's log tail; a missing binary fails the run with the package to install, never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, copyFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ClickHouseFixture } from './fixtures.js';

/** Why the run fails when the server is not installed: names the packages and the CI script. */
export const CLICKHOUSE_MISSING =
  'clickhouse-server is not installed: apt-get install clickhouse-server clickhouse-client (the test suite needs a real ClickHouse; see .ci/run)';

const LIMITS = {
  /** Milliseconds until /ping must answer: it takes about 0.4 s here, 30 s allows a loaded CI box. */
  startTimeoutMs: 30_000,
  /** Milliseconds between /ping polls. */
  pollMs: 100,
  /** Milliseconds a graceful shutdown may take before SIGKILL. */
  stopTimeoutMs: 15_000,
  /** Starts tried when a port picked as free was taken meanwhile. */
  startAttempts: 3,
  /** Lines of each log quoted when the server fails. */
  logTailLines: 40,
} as const;

/** A running clickhouse-server and how to stop it. */
export interface RunningClickHouse {
  readonly fixture: ClickHouseFixture;
  /** Stops the process group and removes the temp dir; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a private clickhouse-server and waits until it answers. */
export async function startClickHouse(): Promise<RunningClickHouse> {
  const command = await findServerCommand();
  const dir = await mkdtemp(join(tmpdir(), 'hearth-clickhouse-'));
  try {
    await copyFile('/etc/clickhouse-server/users.xml', join(dir, 'users.xml'));
    for (let attempt = 1; ; attempt++) {
      const [http, tcp] = await freePorts(2);
      const ports = { http: http!, tcp: tcp! };
      await writeFile(join(dir, 'config.xml'), serverConfig(dir, ports));
      const child = await spawnServer(command, dir);
      try {
        const url = `http://127.0.0.1:${ports.http}`;
        await waitForPing(url, child, dir);
        const version = (await clickhouseQuery(url, 'SELECT version()')).trim();
        const fixture = { url, httpPort: ports.http, tcpPort: ports.tcp, user: 'default', password: '', version };
        return { fixture, stop: stopper(child, dir) };
      } catch (error) {
        await killGroup(child);
        const portTaken = (await logTail(dir)).includes('Address already in use');
        if (!portTaken || attempt >= LIMITS.startAttempts) throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** `clickhouse-server` (Debian) or the single `clickhouse` binary (upstream packages), from PATH or sbin. */
async function findServerCommand(): Promise<readonly string[]> {
  const folders = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin'].filter(Boolean);
  for (const [name, ...args] of [['clickhouse-server'], ['clickhouse', 'server']] as const) {
    for (const folder of folders) {
      const path = join(folder, name);
      if (await access(path, constants.X_OK).then(() => true, () => false)) return [path, ...args];
    }
  }
  throw new Error(CLICKHOUSE_MISSING);
}

function serverConfig(dir: string, ports: { http: number; tcp: number }): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${dir}/log/server.log</log>
    <errorlog>${dir}/log/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

async function spawnServer(command: readonly string[], dir: string): Promise<ChildProcess> {
  const output = await open(join(dir, 'stdout.log'), 'a');
  try {
    const [file, ...args] = command;
    // Its own process group, so teardown can signal the server and anything it forks at once.
    const child = spawn(file!, [...args, `--config-file=${join(dir, 'config.xml')}`], { cwd: dir, detached: true, stdio: ['ignore', output.fd, output.fd] });
    await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    return child;
  } finally {
    await output.close();
  }
}

async function waitForPing(url: string, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + LIMITS.startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`clickhouse-server exited (${child.exitCode ?? child.signalCode}) before answering /ping; log tail:\n${await logTail(dir)}`);
    }
    const answer = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) }).then((response) => response.text(), () => '');
    if (answer.startsWith('Ok')) return;
    await new Promise((resolve) => setTimeout(resolve, LIMITS.pollMs));
  }
  throw new Error(`clickhouse-server did not answer ${url}/ping within ${LIMITS.startTimeoutMs} ms; log tail:\n${await logTail(dir)}`);
}

/** Runs one statement over the server's HTTP interface; POST, so DDL is allowed as well. */
export async function clickhouseQuery(url: string, sql: string): Promise<string> {
  const response = await fetch(`${url}/?query=${encodeURIComponent(sql)}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`clickhouse-server answered ${response.status} to ${sql}: ${text}`);
  return text;
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  // If the runner dies without teardown, the server must not outlive it.
  const onExit = (): void => {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      process.removeListener('exit', onExit);
      await killGroup(child);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
}

/** SIGTERM to the group, SIGKILL when it has not exited within the stop timeout. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is already gone
    }
  };
  signal('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), LIMITS.stopTimeoutMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    signal('SIGKILL');
    await exited;
  }
}

async function logTail(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const name of ['stdout.log', 'log/server.err.log', 'log/server.log']) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    if (text !== '') parts.push(`--- ${name}\n${text.trimEnd().split('\n').slice(-LIMITS.logTailLines).join('\n')}`);
  }
  return parts.join('\n') || '(no log written)';
}

/** Ports free right now, all held open together while picking so they differ. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let index = 0; index < count; index++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    }
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('could not pick a free port');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
