/**
 * bench:edge — wrk on loopback against Hearth's edge and, in the same run, nginx (the anchor),
 * both serving the same deployed files: a small HTML page and a 1 MiB asset. Targets: >= 0.5x
 * nginx's req/s on the small page, p99 <= 2x nginx's.
 *
 * The site is published as a release in a fs storage directory (as a git push would), the host is
 * booted from a host file with the edge plugin, and nginx serves files written from that same
 * release's contents, from a generated config in a temporary prefix (`daemon off`, access_log off,
 * sendfile on). Both run one worker process: the edge is one Node.js process, and on this 2-core
 * machine wrk needs the other core. The edge writes its access logs (Bunny lines over TCP to a
 * discarding listener), which nginx is spared — the edge pays its real per-request cost.
 * Each target runs WARMUP_S then RUN_S seconds; rounds alternate so a busy moment hits both.
 * For reference (not a target), each round also measures a bare node:http server in the same
 * process answering with the edge's own response for the page, headers and all: what Node.js
 * itself allows on this machine, so the edge's own cost is the gap between the two.
 * The last line printed is one JSON object (small-page figures).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, get as httpGet, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { FsStorage } from '../core/services/storage/fsStorage.js';
import { publishRelease } from '../core/services/releases/releaseWriter.js';
import { openFile, readLiveRelease } from '../core/services/releases/releaseReader.js';
import { blobIdOf } from '../core/services/releases/releaseLayout.js';
import type { EdgeInstance } from '../plugins/edge/index.js';
import { bootHost } from '../test/helpers/bootHost.js';
import pino from 'pino';

const SITE = 'bench.example';
/** wrk's settings: 2 threads (its own), 64 connections, as a busy small site sees through a proxy. */
const WRK_THREADS = 2;
const WRK_CONNECTIONS = 64;
const WARMUP_S = 2;
const RUN_S = 8;
/** Rounds per target, alternating; the best round of each counts (least disturbed by the machine). */
const ROUNDS = 2;

const PAGE = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Bench</title><link rel="stylesheet" href="/site.css"></head>\n<body><h1>A small page</h1><p>${'Served from the live release. '.repeat(20)}</p></body></html>\n`;

interface WrkResult {
  readonly rps: number;
  readonly p99Ms: number;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${out}`))));
  });
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

async function wrk(url: string, seconds: number): Promise<WrkResult> {
  const out = await run('wrk', [`-t${WRK_THREADS}`, `-c${WRK_CONNECTIONS}`, `-d${seconds}s`, '--latency', '-H', `Host: ${SITE}`, url]);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s|m)\b/.exec(out);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (!rps || !p99) throw new Error(`cannot read wrk's output:\n${out}`);
  if (errors) throw new Error(`${errors[1]} responses were errors:\n${out}`);
  return { rps: Number(rps[1]), p99Ms: toMs(p99[1]!, p99[2]!) };
}

async function measure(url: string): Promise<WrkResult> {
  await wrk(url, WARMUP_S);
  return wrk(url, RUN_S);
}

function best(results: readonly WrkResult[]): WrkResult {
  return results.reduce((a, b) => (b.rps > a.rps ? b : a));
}

async function startNginx(dir: string, root: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  await mkdir(join(dir, 'logs'), { recursive: true });
  await writeFile(
    conf,
    `worker_processes 1;\ndaemon off;\npid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'logs/error.log')} warn;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 100000;\n  types { text/html html; application/octet-stream bin; }\n  client_body_temp_path ${dir}/tmp;\n  proxy_temp_path ${dir}/tmp;\n  fastcgi_temp_path ${dir}/tmp;\n  uwsgi_temp_path ${dir}/tmp;\n  scgi_temp_path ${dir}/tmp;\n  server {\n    listen 127.0.0.1:${port};\n    server_name ${SITE};\n    root ${root};\n    index index.html;\n  }\n}\n`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`, { headers: { host: SITE } }).then((r) => r.ok, () => false);
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGQUIT');
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A TCP listener that reads and discards what the edge's log sink sends, counting lines. */
async function discardingIntake(): Promise<{ address: string; lines(): number; close(): Promise<void> }> {
  let lines = 0;
  // It shares the edge's event loop: counting newlines natively keeps it out of the measurement.
  const server = createTcpServer((socket) =>
    socket.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) lines++;
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, lines: () => lines, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A bare node:http server sending the response the edge sends for `url` (its headers, a fresh
 * request id, its body), with no routing, logging or metrics.
 */
async function bareNodeServer(url: string): Promise<{ url: string; server: Server }> {
  const sample = await new Promise<{ headers: string[]; body: Buffer }>((resolve, reject) => {
    httpGet(url, { headers: { host: SITE } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.rawHeaders, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  const fixed: string[] = [];
  for (let index = 0; index < sample.headers.length; index += 2) {
    const name = sample.headers[index]!;
    if (!['date', 'connection', 'keep-alive', 'content-length', 'x-request-id'].includes(name.toLowerCase())) fixed.push(name, sample.headers[index + 1]!);
  }
  let count = 0;
  const server = createHttpServer((_request, response) => {
    response.writeHead(200, [...fixed, 'X-Request-Id', `bare-${count++}`, 'Content-Length', String(sample.body.length)]);
    response.end(sample.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-edge-'));
  // nginx's worker drops to an unprivileged user when started as root: it must be able to read the files.
  await chmod(dir, 0o755);
  const asset = createHash('sha512').update('seed').digest();
  const big = Buffer.alloc(1024 * 1024);
  for (let offset = 0; offset < big.length; offset += asset.length) asset.copy(big, offset);
  const files: Record<string, Buffer> = { 'index.html': Buffer.from(PAGE), 'asset.bin': big };

  // Publish the release where the host's storage will be: `storage.dir` resolves to <dir>/<stage>,
  // so the host below serves exactly this release.
  const storageDir = join(dir, 'storage');
  const storage = new FsStorage({ dir: join(storageDir, 'production') }, pino({ level: 'silent' }));
  await publishRelease(
    storage,
    {
      site: SITE, commit: 'b'.repeat(40), branch: 'main', author: { name: 'Bench', email: 'bench@example.com' }, subject: 'bench', committedAt: new Date(), built: false,
      files: Object.entries(files).map(([path, content]) => ({ path, blob: blobIdOf(content), mode: 'file' as const, contentType: path.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/octet-stream' })),
      readBlob: async (blob) => Object.values(files).find((content) => blobIdOf(content) === blob)!,
    },
    { keep: 2, now: new Date(), concurrency: 2 },
  );

  // nginx serves the files as read back from that release.
  const root = join(dir, 'www');
  await mkdir(root, { recursive: true });
  const release = (await readLiveRelease(storage, SITE))!;
  for (const path of Object.keys(release.files)) {
    const opened = (await openFile(storage, release, path))!;
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(chunk as Buffer);
    await writeFile(join(root, path), Buffer.concat(chunks));
  }
  await storage.close();

  const intake = await discardingIntake();
  await mkdir(join(dir, 'host'));
  const host = await bootHost(
    `
hosts:
  bench:
    port: 0
    log: { level: warn }
    storage: { engine: fs, dir: ${storageDir} }
    plugins:
      edge:
        port: 0
        logs: { intake: { address: "${intake.address}", protocol: tcp } }
sites:
  ${SITE}: {}
`,
    { dir: join(dir, 'host') },
  );
  const edge = host.host.instance<EdgeInstance>('edge')!;
  const nginx = await startNginx(join(dir, 'nginx'), root);
  const bare = await bareNodeServer(`${edge.url}/`);
  try {
    const results = { edgePage: [] as WrkResult[], nginxPage: [] as WrkResult[], barePage: [] as WrkResult[], edgeAsset: [] as WrkResult[], nginxAsset: [] as WrkResult[] };
    for (let round = 0; round < ROUNDS; round++) {
      results.nginxPage.push(await measure(`${nginx.url}/`));
      results.edgePage.push(await measure(`${edge.url}/`));
      results.barePage.push(await measure(`${bare.url}/`));
      results.nginxAsset.push(await measure(`${nginx.url}/asset.bin`));
      results.edgeAsset.push(await measure(`${edge.url}/asset.bin`));
      console.log(`round ${round + 1}: page edge ${results.edgePage.at(-1)!.rps.toFixed(0)} req/s vs nginx ${results.nginxPage.at(-1)!.rps.toFixed(0)} (bare node:http ${results.barePage.at(-1)!.rps.toFixed(0)}); 1 MiB asset edge ${results.edgeAsset.at(-1)!.rps.toFixed(0)} vs nginx ${results.nginxAsset.at(-1)!.rps.toFixed(0)}`);
    }
    await edge.flushLogs();
    const page = { edge: best(results.edgePage), nginx: best(results.nginxPage) };
    const asset = { edge: best(results.edgeAsset), nginx: best(results.nginxAsset) };
    const line = (what: string, r: { edge: WrkResult; nginx: WrkResult }): string =>
      `${what}: edge ${r.edge.rps.toFixed(0)} req/s, p99 ${r.edge.p99Ms.toFixed(2)} ms | nginx ${r.nginx.rps.toFixed(0)} req/s, p99 ${r.nginx.p99Ms.toFixed(2)} ms | ratio req/s ${(r.edge.rps / r.nginx.rps).toFixed(2)}, p99 ${(r.edge.p99Ms / r.nginx.p99Ms).toFixed(2)}`;
    console.log(line(`small page (${PAGE.length} bytes)`, page));
    console.log(line('1 MiB asset', asset));
    const barePage = best(results.barePage);
    console.log(`for reference, bare node:http with the edge's page response: ${barePage.rps.toFixed(0)} req/s, p99 ${barePage.p99Ms.toFixed(2)} ms | vs nginx: req/s ${(barePage.rps / page.nginx.rps).toFixed(2)}, p99 ${(barePage.p99Ms / page.nginx.p99Ms).toFixed(2)}`);
    console.log(`edge access-log lines delivered to the TCP intake: ${intake.lines()}`);
    const ratioRps = page.edge.rps / page.nginx.rps;
    const ratioP99 = page.edge.p99Ms / page.nginx.p99Ms;
    console.log(`targets: req/s ratio ${ratioRps.toFixed(2)} (>= 0.5) ${ratioRps >= 0.5 ? 'met' : 'MISSED'}; p99 ratio ${ratioP99.toFixed(2)} (<= 2) ${ratioP99 <= 2 ? 'met' : 'MISSED'}`);
    const round2 = (n: number): number => Math.round(n * 100) / 100;
    console.log(JSON.stringify({ bench: 'edge', hearth_rps: round2(page.edge.rps), nginx_rps: round2(page.nginx.rps), ratio_rps: round2(ratioRps), hearth_p99_ms: round2(page.edge.p99Ms), nginx_p99_ms: round2(page.nginx.p99Ms), ratio_p99: round2(ratioP99) }));
  } finally {
    await new Promise((resolve) => bare.server.close(resolve));
    await nginx.stop();
    await host.stop();
    await intake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
