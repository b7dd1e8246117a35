/**
 * bench:git — a first `git push` of a generated site (>= 5,000 files, >= 30 MB) to Hearth's git
 * plugin, and, in the same run, to C git's `git http-backend` behind a minimal CGI bridge (the
 * anchor); then the push-to-live time of a one-file change. Targets: first push <= 1.5x C git;
 * a one-file change live in < 0.5 s.
 *
 * Both pushes use the real git CLI over HTTP on loopback, from the same clone, after a warm-up
 * that puts the objects in the page cache. First pushes alternate between the two servers for
 * ROUNDS rounds (each into a fresh repository); the one-file change is pushed ONE_FILE_RUNS times.
 * Each figure is the median. "Live" is when the site's live.json names the commit. The last line
 * printed is one JSON object.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken } from '../core/services/tokens.js';
import { readLivePointer } from '../core/services/releases/releaseReader.js';
import type { Storage } from '../core/services/storage/storage.js';
import { bootHost } from '../test/helpers/bootHost.js';
import { git, runGit } from '../test/git/gitCli.js';
import { seededRandom } from '../test/helpers/seededRandom.js';

const FILES = 5_100;
/** First pushes per server, alternating, so a busy moment of the machine hits both alike. */
const ROUNDS = 3;
/** One-file changes pushed; a single one is at the mercy of the scheduler. */
const ONE_FILE_RUNS = 5;
const TOKEN = 'hth_bench-token';
/** A fixed seed, so every run pushes the same bytes. */
const SEED = 0x5eed;


const WORDS = 'the quick brown fox jumps over a lazy dog while static sites deploy with one push and analytics count every visit'.split(' ');

/** Writes the site: mostly pages and styles (text), plus images (incompressible bytes). */
async function generateSite(dir: string): Promise<{ files: number; bytes: number }> {
  const random = seededRandom(SEED);
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const section = `section-${String(i % 50).padStart(2, '0')}`;
    let path: string;
    let content: Buffer;
    if (i % 50 === 0) {
      path = `${section}/img/photo-${i}.jpg`;
      content = Buffer.alloc(180_000 + Math.floor(random() * 100_000));
      for (let b = 0; b < content.length; b++) content[b] = Math.floor(random() * 256);
    } else {
      path = i % 7 === 0 ? `${section}/css/style-${i}.css` : `${section}/page-${i}.html`;
      const words: string[] = [];
      const count = 300 + Math.floor(random() * 700);
      for (let w = 0; w < count; w++) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
      content = Buffer.from(`<!doctype html><title>${path}</title><p>${words.join(' ')}</p>\n`);
    }
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
    bytes += content.length;
  }
  return { files: FILES, bytes };
}

/** A minimal CGI bridge: each request runs `git http-backend` with the CGI variables it needs. */
function startHttpBackend(projectRoot: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://bridge');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: 'bench',
      REMOTE_ADDR: '127.0.0.1',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      ...(request.headers['content-length'] ? { CONTENT_LENGTH: request.headers['content-length'] } : {}),
      ...(request.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: request.headers['content-encoding'] } : {}),
      ...(typeof request.headers['git-protocol'] === 'string' ? { GIT_PROTOCOL: request.headers['git-protocol'] } : {}),
    };
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    request.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else response.setHeader(name, value);
      }
      response.writeHead(status);
      response.write(head.subarray(end + 4));
    });
    child.stdout.on('end', () => response.end());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

async function timedPush(cwd: string, url: string, refspec = 'main'): Promise<number> {
  const started = performance.now();
  const run = await runGit(['push', '-q', url, refspec], { cwd });
  if (run.code !== 0) throw new Error(`git push to ${url} failed: ${run.stderr}`);
  return (performance.now() - started) / 1000;
}

async function pushUntilLive(cwd: string, url: string, storage: Storage, site: string, commit: string): Promise<number> {
  // Measured from the push's start to the first read of live.json that names the commit.
  const started = performance.now();
  const push = runGit(['push', '-q', url, 'main'], { cwd });
  for (;;) {
    if ((await readLivePointer(storage, site))?.commit === commit) break;
    const done = await Promise.race([push.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 5))]);
    if (done && (await readLivePointer(storage, site))?.commit !== commit) throw new Error(`push finished but ${commit} is not live: ${(await push).stderr}`);
  }
  const seconds = (performance.now() - started) / 1000;
  await push;
  return seconds;
}

const root = await mkdtemp(join(tmpdir(), 'hearth-bench-git-'));
try {
  const work = join(root, 'site');
  await mkdir(work);
  await git(['init', '-q', '-b', 'main', work]);
  const site = await generateSite(work);
  await git(['add', '-A'], { cwd: work });
  await git(['commit', '-q', '-m', 'generated site'], { cwd: work });
  const objects = Number(await git(['rev-list', '--objects', '--count', 'HEAD'], { cwd: work }));
  console.log(`site: ${site.files} files, ${(site.bytes / 1024 / 1024).toFixed(1)} MiB, ${objects} objects`);
  // Warm-up: both pushes then read the objects from the page cache.
  await git(['pack-objects', '--all', '--stdout', '-q'], { cwd: work, input: '' }).catch(() => undefined);

  const cgitRoot = join(root, 'cgit');
  const backend = await startHttpBackend(cgitRoot);
  const sites = Array.from({ length: ROUNDS }, (_, round) => `bench${round}.example`);
  const yaml = [
    'hosts:',
    '  services:',
    '    port: 0',
    '    log: { level: info }',
    '    plugins:',
    '      git: {}',
    'sites:',
    ...sites.map((site) => `  ${site}: {}`),
    'tokens:',
    '  bench:',
    `    hash: "${hashToken(TOKEN)}"`,
    `    sites: [${sites.join(', ')}]`,
    '    scopes: [push]',
  ].join('\n');
  await mkdir(join(root, 'hearth'));
  const host = await bootHost(yaml, { dir: join(root, 'hearth') });
  try {
    const pushUrl = (site: string) => `${host.url.replace('http://', `http://git:${TOKEN}@`)}/git/${site}.git`;
    const cgitTimes: number[] = [];
    const hearthTimes: number[] = [];
    for (const [round, site] of sites.entries()) {
      const bare = join(cgitRoot, `site${round}.git`);
      await git(['init', '-q', '--bare', bare]);
      await git(['config', 'http.receivepack', 'true'], { cwd: bare });
      cgitTimes.push(await timedPush(work, `${backend.url}/site${round}.git`));
      hearthTimes.push(await timedPush(work, pushUrl(site)));
      console.log(`round ${round + 1}: C git http-backend ${cgitTimes.at(-1)!.toFixed(2)} s, Hearth ${hearthTimes.at(-1)!.toFixed(2)} s (server: ${serverPhases(host.logs)})`);
    }
    const cgitSeconds = median(cgitTimes);
    const hearthSeconds = median(hearthTimes);
    console.log(`first push, median of ${ROUNDS}: C git http-backend ${cgitSeconds.toFixed(2)} s, Hearth ${hearthSeconds.toFixed(2)} s (ratio ${(hearthSeconds / cgitSeconds).toFixed(2)}, target <= 1.5)`);

    const storage = host.host.container.resolve('storage') as Storage;
    const liveTimes: number[] = [];
    for (let run = 0; run < ONE_FILE_RUNS; run++) {
      await writeFile(join(work, 'section-01/page-1.html'), `<!doctype html><p>one file changed, run ${run}</p>\n`);
      await git(['commit', '-q', '-am', `one file, run ${run}`], { cwd: work });
      const commit = await git(['rev-parse', 'HEAD'], { cwd: work });
      liveTimes.push(await pushUntilLive(work, pushUrl(sites[0]!), storage, sites[0]!, commit));
    }
    const liveSeconds = median(liveTimes);
    console.log(`one-file change live, median of ${ONE_FILE_RUNS}: ${liveSeconds.toFixed(3)} s (runs: ${liveTimes.map((t) => t.toFixed(3)).join(', ')}; target < 0.5)`);
    const result = { bench: 'git', hearth_s: round(hearthSeconds), cgit_s: round(cgitSeconds), ratio: round(hearthSeconds / cgitSeconds), one_file_live_s: round(liveSeconds) };
    console.log(JSON.stringify(result));
  } finally {
    await host.stop();
    await backend.close();
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

/** The server-side phases of the last push, from the git plugin's `push finished` log line. */
function serverPhases(logs: readonly string[]): string {
  const line = [...logs].reverse().find((entry) => entry.includes('"push finished"'));
  if (!line) return 'no log';
  const entry = JSON.parse(line) as Record<string, number>;
  return `receive ${entry.receiveMs} ms (index ${entry.indexMs} ms), checks ${entry.checkMs} ms, deploy ${entry.deployMs} ms`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
