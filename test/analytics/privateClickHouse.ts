/**
 * A private clickhouse-server for suites that must stop and restart the server (the outage tests)
 * and for the benchmark: its own data directory, free ports on loopback, started as a child process.
 * Suites that only need a running server use `inject('clickhouse')` from the global setup instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long the server may take to answer its first ping, in milliseconds (it starts in ~1 s). */
const START_TIMEOUT_MS = 30_000;

/** A running private server. */
export interface PrivateClickHouse {
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  readonly dir: string;
  /** Kills the server (SIGKILL: as abrupt as a crash) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts the server again on the same ports and data. */
  restart(): Promise<void>;
  /** Stops the server and removes its data. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function configXml(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><console>0</console></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
`;
}

async function waitForPing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`clickhouse-server did not answer ${url}/ping within ${START_TIMEOUT_MS} ms`);
}

/** Starts a private clickhouse-server with an empty data directory. */
export async function startPrivateClickHouse(): Promise<PrivateClickHouse> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-ch-'));
  await mkdir(join(dir, 'data'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await copyFile('/etc/clickhouse-server/users.xml', join(dir, 'users.xml'));
  const httpPort = await freePort();
  const tcpPort = await freePort();
  await writeFile(join(dir, 'config.xml'), configXml(dir, httpPort, tcpPort));
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    child = spawn('clickhouse-server', [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: 'ignore' });
    await waitForPing(url, child);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await launch();
  return {
    url,
    httpPort,
    tcpPort,
    dir,
    kill,
    restart: launch,
    async destroy() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
