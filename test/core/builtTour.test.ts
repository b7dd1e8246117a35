/**
 * The README's tour through the built executable (bin/hearth.js over dist/), as a self-hoster runs
 * it: a token from `hearth token new`, a real `git push`, the page served by the edge, and its
 * access record counted through the query API from ClickHouse; a Bunny line over TCP lands too.
 * The other suites run the sources, so this is where the bundle's lazily loaded packages (the git
 * library, the ClickHouse client) are exercised as shipped.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouseForSuite, uniqueDatabase, type SuiteClickHouse } from '../analytics/clickhouseForSuite.js';
import { edgeGet } from '../edge/edgeClient.js';
import { runCli, startCli, type RunningCli } from '../helpers/runCli.js';
import { waitFor } from '../intake/logSenders.js';

const run = promisify(execFile);
const example = fileURLToPath(new URL('../../hosts.example.yaml', import.meta.url));

let dir: string;
let clickhouse: SuiteClickHouse;
let host: RunningCli;
let hostUrl: string;
let token: string;

/** The value of a field of the first JSON log line that has `msg`, from the host's output. */
function logged(msg: string, field: string): unknown {
  for (const line of `${host.output.stdout}\n${host.output.stderr}`.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.msg === msg) return entry[field];
  }
  throw new Error(`no '${msg}' in the host's log`);
}

/** Milliseconds between looks at the query API: it allows a token 120 requests a minute. */
const QUERY_POLL_MS = 600;

async function requests(filters: unknown[] = []): Promise<number> {
  const response = await fetch(`${hostUrl}/query/v1/stats`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'example.com', range: 'today', metrics: ['requests'], filters }),
  });
  const body = (await response.json()) as { data?: Array<{ requests: number }> };
  if (response.status !== 200) throw new Error(`query answered ${response.status}: ${JSON.stringify(body)}`);
  return body.data?.[0]?.requests ?? 0;
}

beforeAll(async () => {
  clickhouse = await clickhouseForSuite();
  dir = await mkdtemp(join(tmpdir(), 'hearth-tour-'));
  await cp(example, join(dir, 'hosts.yaml'));
  const printed = await runCli(['token', 'new', '--name', 'laptop', '--site', 'example.com', '--scope', 'push,read'], { cwd: dir });
  expect(printed.code).toBe(0);
  token = /^(hth_\S+)$/m.exec(printed.stdout)![1]!;
  const entry = /^\s+(laptop: \{.*\})$/m.exec(printed.stderr)![1]!;
  const yaml = (await readFile(join(dir, 'hosts.yaml'), 'utf8'))
    .replace('port: 8080', 'port: 0')
    .replace('edge: {}', 'edge: { port: 0 }')
    .replace(/listeners:\n(?: +- .*\n)+/, 'listeners: [{ protocol: tcp, port: 0, host: 127.0.0.1, format: bunny }]\n')
    .replace(
      /analytics:\n {6}engine: duckdb/,
      `analytics:\n      engine: clickhouse\n      clickhouse: { url: "${clickhouse.url}", user: "${clickhouse.user}", ${clickhouse.password ? `password: "${clickhouse.password}", ` : ''}database: ${uniqueDatabase('tour')} }`,
    )
    .replace('\ntokens:\n', `\ntokens:\n  ${entry}\n`);
  await writeFile(join(dir, 'hosts.yaml'), yaml);
  host = await startCli(['start', 'services'], /services ready at (http:\/\/\S+)/, { cwd: dir, env: { HEARTH_BACKUP_PASSPHRASE: 'tour-passphrase' } });
  hostUrl = /services ready at (http:\/\/\S+)/.exec(host.output.stderr)![1]!;
}, 60_000);

afterAll(async () => {
  host?.child.kill('SIGTERM');
  await host?.exited;
  await clickhouse?.release();
});

describe('the built hearth, end to end', () => {
  it('deploys a git push, serves it, and counts the visit in ClickHouse', async () => {
    const site = join(dir, 'site');
    await mkdir(site);
    await writeFile(join(site, 'index.html'), '<h1>Hello</h1>\n');
    const git = (...args: string[]) => run('git', ['-c', 'user.name=Tour', '-c', 'user.email=tour@example.com', ...args], { cwd: site });
    await git('init', '-q', '-b', 'main');
    await git('add', '.');
    await git('commit', '-q', '-m', 'first');
    const pushed = await git('push', `${hostUrl.replace('http://', `http://git:${token}@`)}/git/example.com.git`, 'main');
    expect(pushed.stderr).toMatch(/live: release 000001-/);

    const edgeUrl = logged('edge listening', 'url') as string;
    const page = await edgeGet(edgeUrl, 'example.com', '/', { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' } });
    expect(page.status).toBe(200);
    expect(page.text).toBe('<h1>Hello</h1>\n');
    await waitFor('the visit counted', async () => (await requests()) >= 1, 20_000, QUERY_POLL_MS);
    expect(await requests()).toBe(1);
  });

  it('takes Bunny lines over TCP into the same store', async () => {
    const port = logged('intake listening', 'port') as number;
    const fromTcp = [{ dimension: 'path', op: 'is', value: '/from-tcp' }];
    const before = await requests(fromTcp);
    const line = `MISS|200|${Date.now()}|512|390|198.51.100.7|-|https://example.com/from-tcp|DE|Mozilla/5.0 (X11; Linux x86_64)|${'c'.repeat(32)}|DE\n`;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(line));
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await waitFor('the TCP line counted', async () => (await requests(fromTcp)) > before, 20_000, QUERY_POLL_MS);
    expect(await requests(fromTcp)).toBe(before + 1);
  });
});
