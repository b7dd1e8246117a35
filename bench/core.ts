/**
 * bench:core — how fast the services host of hosts.example.yaml becomes ready, and how much
 * memory it holds idle. Anchor, measured in the same run: a bare fastify server in a fresh Node
 * process (the floor any Node host pays). Targets: ready < 500 ms, RSS < 100 MB.
 *
 * Ready time is from spawning `hearth start services` to the first 200 from /readyz; RSS is read
 * from /proc after 2 s idle. Each figure is the median of RUNS runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const RUNS = 5;
const root = fileURLToPath(new URL('../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function untilReady(url: string, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url} not ready in time`);
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function measure(args: string[], url: (port: number) => string, cwd: string, port: number): Promise<{ readyMs: number; rssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, BENCH_PORT: String(port), HEARTH_BACKUP_PASSPHRASE: process.env.HEARTH_BACKUP_PASSPHRASE ?? 'bench-only' } });
  try {
    await untilReady(url(port), child, Date.now() + 10_000);
    const readyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 2_000));
    return { readyMs, rssMb: await rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-core-'));
try {
  const example = await readFile(join(root, 'hosts.example.yaml'), 'utf8');
  await writeFile(join(dir, 'hosts.yaml'), example.replace('port: 8080', 'port: ${BENCH_PORT}').replace('port: 8081', 'port: 0'));
  await writeFile(
    join(dir, 'bare.mjs'),
    `import Fastify from '${join(root, 'node_modules/fastify/fastify.js')}';\nconst app = Fastify();\napp.get('/readyz', async () => ({ ok: true }));\nawait app.listen({ port: Number(process.env.BENCH_PORT), host: '127.0.0.1' });\n`,
  );
  const hearth: { readyMs: number; rssMb: number }[] = [];
  const bare: { readyMs: number; rssMb: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    hearth.push(await measure([join(root, 'bin/hearth.js'), 'start', 'services'], (p) => `http://127.0.0.1:${p}/readyz`, dir, await freePort()));
    bare.push(await measure([join(dir, 'bare.mjs')], (p) => `http://127.0.0.1:${p}/readyz`, dir, await freePort()));
  }
  const result = {
    readyMs: median(hearth.map((m) => m.readyMs)),
    rssMb: median(hearth.map((m) => m.rssMb)),
    bareReadyMs: median(bare.map((m) => m.readyMs)),
    bareRssMb: median(bare.map((m) => m.rssMb)),
  };
  console.log(`services host ready:  ${result.readyMs.toFixed(0)} ms   (bare fastify: ${result.bareReadyMs.toFixed(0)} ms, ratio ${(result.readyMs / result.bareReadyMs).toFixed(2)}x; target < 500 ms)`);
  console.log(`services host idle RSS: ${result.rssMb.toFixed(1)} MB (bare fastify: ${result.bareRssMb.toFixed(1)} MB, ratio ${(result.rssMb / result.bareRssMb).toFixed(2)}x; target < 100 MB)`);
  console.log(JSON.stringify({ bench: 'core', ready_ms: Math.round(result.readyMs), rss_mb: Math.round(result.rssMb * 10) / 10 }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
