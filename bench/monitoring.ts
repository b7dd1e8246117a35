/**
 * bench:monitoring — the monitoring plugin scraping 100 targets x 500 series every 15 s with the
 * default rules, beside Prometheus (Debian's, the anchor) scraping the same targets with the same
 * rules in the same run. Prints CPU seconds and RSS of each process over the measured window and
 * the mean rule-group evaluation time each reports about itself. Targets: CPU <= 1.0x
 * Prometheus's, RSS <= 1.5x.
 *
 * Hearth runs as a real host (`hearth start monitoring`, from the build in dist/); the targets are
 * served by a third process so neither side pays for them. BENCH_SECONDS sets the measured window
 * (default 120 s, after a 20 s warm-up).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { DEFAULT_RULES } from '../plugins/monitoring/defaultRules.js';

const TARGETS = 100;
const SERIES_PER_TARGET = 500;
const INTERVAL_S = 15;
const WARMUP_S = 20;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 120);
const PROMETHEUS = '/usr/bin/prometheus';
const root = fileURLToPath(new URL('../', import.meta.url));
const CLOCK_TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s.

/** The exposition of one target: Hearth-like metrics, counters moving a little every scrape. */
function exposition(target: number, scrape: number): string {
  const lines: string[] = [];
  const routes = Array.from({ length: 40 }, (_, i) => `/site/page${i}`);
  for (const [i, route] of routes.entries()) {
    for (const cls of ['2xx', '4xx', '5xx']) lines.push(`hearth_http_requests_total{method="GET",route="${route}",status_class="${cls}"} ${(scrape * (cls === '2xx' ? 17 : 1) + i + target) % 1e9}`);
  }
  const buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];
  for (const route of routes.slice(0, 20)) {
    buckets.forEach((le, b) => lines.push(`hearth_http_request_duration_seconds_bucket{route="${route}",le="${le}"} ${scrape * (b + 1)}`));
    lines.push(`hearth_http_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${scrape * 16}`);
    lines.push(`hearth_http_request_duration_seconds_sum{route="${route}"} ${scrape * 0.731}`, `hearth_http_request_duration_seconds_count{route="${route}"} ${scrape * 16}`);
  }
  lines.push(`hearth_datadir_free_bytes ${5e10 - scrape * 1000}`, 'hearth_datadir_size_bytes 1e11');
  lines.push(`hearth_backup_last_success_timestamp_seconds ${Math.floor(Date.now() / 1000) - 3600}`, 'hearth_backup_failures_total 0');
  for (const reason of ['malformed', 'bad_number', 'bad_status', 'out_of_range', 'too_old', 'in_future', 'unknown_site', 'forbidden', 'duplicate', 'too_long', 'unknown_format', 'source_not_allowed', 'backpressure', 'spool_failed', 'store_rejected']) {
    lines.push(`hearth_intake_records_dropped_total{reason="${reason}"} 0`);
  }
  for (const result of ['deployed', 'updated', 'rejected', 'build_failed', 'invalid', 'error']) lines.push(`hearth_git_pushes_total{site="example.com",result="${result}"} ${result === 'deployed' ? scrape : 0}`);
  for (let i = lines.length; i < SERIES_PER_TARGET; i++) lines.push(`bench_filler_gauge{index="${i}"} ${(i * 31 + scrape) % 97}`);
  return `${lines.join('\n')}\n`;
}

/** Serves the targets on ports base..base+99 (runs in its own process). */
function serveTargets(base: number): void {
  for (let t = 0; t < TARGETS; t++) {
    let scrapes = 0;
    createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(t, ++scrapes))).listen(base + t, '127.0.0.1');
  }
  process.stdout.write('targets ready\n');
}

async function freePortRange(count: number): Promise<number> {
  for (let base = 20000 + Math.floor(Math.random() * 20000); ; base += count) {
    const ok = await Promise.all(Array.from({ length: count }, (_, i) => new Promise<boolean>((resolve) => {
      const server = createServer().once('error', () => resolve(false)).listen(base + i, '127.0.0.1', () => server.close(() => resolve(true)));
    })));
    if (ok.every(Boolean)) return base;
  }
}

async function procStats(pid: number): Promise<{ cpuS: number; rssMb: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { cpuS: (Number(stat[11]) + Number(stat[12])) / CLOCK_TICKS, rssMb: Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024 };
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    const check = (chunk: Buffer): void => {
      if (pattern.test(chunk.toString())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
  });
}

/** Mean of a rule-group duration gauge read from a /metrics page now. */
async function groupSeconds(url: string, metric: string): Promise<number | undefined> {
  const text = await (await fetch(url)).text();
  const values = [...text.matchAll(new RegExp(`^${metric}\\{[^}]*\\} (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
  return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist/core/cli/main.js'))) throw new Error('bench:monitoring runs the built CLI: run `npm run build` first');
  if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install prometheus`);
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-monitoring-'));
  const children: ChildProcess[] = [];
  try {
    const base = await freePortRange(TARGETS + 2);
    const [hearthPort, promPort] = [base + TARGETS, base + TARGETS + 1];
    const targets = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), `--serve-targets=${base}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(targets);
    await waitForLine(targets, /targets ready/, 10_000);
    const urls = Array.from({ length: TARGETS }, (_, i) => `127.0.0.1:${base + i}`);

    await writeFile(join(dir, 'rules.yml'), stringify(DEFAULT_RULES));
    await writeFile(join(dir, 'prometheus.yml'), stringify({
      global: { scrape_interval: `${INTERVAL_S}s`, evaluation_interval: `${INTERVAL_S}s`, scrape_timeout: '10s' },
      rule_files: ['rules.yml'],
      scrape_configs: [{ job_name: 'hearth', static_configs: [{ targets: urls }] }],
    }));
    await writeFile(join(dir, 'hosts.yaml'), stringify({
      hosts: {
        monitoring: {
          address: '127.0.0.1', port: hearthPort, dataDir: join(dir, 'data'), log: { level: 'warn' },
          plugins: { monitoring: { targets: [], staticTargets: urls.map((u) => ({ url: `http://${u}/metrics`, job: 'hearth' })), api: { publicRead: true } } },
        },
      },
    }));
    const prometheus = spawn(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(prometheus);
    const hearth = spawn(process.execPath, [join(root, 'bin/hearth.js'), 'start', 'monitoring', '-f', join(dir, 'hosts.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(hearth);
    hearth.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    for (const url of [`http://127.0.0.1:${hearthPort}/readyz`, `http://127.0.0.1:${promPort}/-/ready`]) {
      for (let i = 0; ; i++) {
        if (i > 300) throw new Error(`${url} did not become ready`);
        if (await fetch(url).then((r) => r.ok, () => false)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    process.stderr.write(`both scraping ${TARGETS} x ${SERIES_PER_TARGET} series every ${INTERVAL_S} s; warming up ${WARMUP_S} s, measuring ${MEASURE_S} s\n`);
    await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));
    const start = { hearth: await procStats(hearth.pid!), prom: await procStats(prometheus.pid!) };
    const evals = { hearth: [] as number[], prom: [] as number[] };
    const rss = { hearth: 0, prom: 0 };
    for (let elapsed = 0; elapsed < MEASURE_S; elapsed += INTERVAL_S) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(INTERVAL_S, MEASURE_S - elapsed) * 1000));
      const h = await groupSeconds(`http://127.0.0.1:${hearthPort}/metrics`, 'hearth_monitoring_rule_group_last_duration_seconds');
      const p = await groupSeconds(`http://127.0.0.1:${promPort}/metrics`, 'prometheus_rule_group_last_duration_seconds');
      if (h !== undefined) evals.hearth.push(h);
      if (p !== undefined) evals.prom.push(p);
      rss.hearth = Math.max(rss.hearth, (await procStats(hearth.pid!)).rssMb);
      rss.prom = Math.max(rss.prom, (await procStats(prometheus.pid!)).rssMb);
    }
    const end = { hearth: await procStats(hearth.pid!), prom: await procStats(prometheus.pid!) };
    const up = await (await fetch(`http://127.0.0.1:${hearthPort}/monitoring/api/v1/targets`)).json() as { data: { activeTargets: { health: string }[] } };
    const healthy = up.data.activeTargets.filter((t) => t.health === 'up').length;
    if (healthy !== TARGETS) throw new Error(`only ${healthy} of ${TARGETS} targets are up in Hearth`);
    const mean = (list: number[]): number => (list.length ? list.reduce((a, b) => a + b, 0) / list.length : NaN);
    const round = (v: number, digits = 2): number => Number(v.toFixed(digits));
    const result = {
      bench: 'monitoring',
      hearth_cpu_s: round(end.hearth.cpuS - start.hearth.cpuS),
      prom_cpu_s: round(end.prom.cpuS - start.prom.cpuS),
      ratio_cpu: round((end.hearth.cpuS - start.hearth.cpuS) / (end.prom.cpuS - start.prom.cpuS)),
      hearth_rss_mb: round(rss.hearth, 1),
      prom_rss_mb: round(rss.prom, 1),
      ratio_rss: round(rss.hearth / rss.prom),
      hearth_eval_ms: round(mean(evals.hearth) * 1000, 3),
      prom_eval_ms: round(mean(evals.prom) * 1000, 3),
    };
    console.log(`Hearth:     ${result.hearth_cpu_s} CPU s over ${MEASURE_S} s, ${result.hearth_rss_mb} MB RSS, rule group ${result.hearth_eval_ms} ms`);
    console.log(`Prometheus: ${result.prom_cpu_s} CPU s over ${MEASURE_S} s, ${result.prom_rss_mb} MB RSS, rule group ${result.prom_eval_ms} ms`);
    console.log(`targets: CPU <= 1.0x (${result.ratio_cpu}x), RSS <= 1.5x (${result.ratio_rss}x)`);
    console.log(JSON.stringify(result));
  } finally {
    for (const child of children.reverse()) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('close', resolve)) : undefined)));
    await rm(dir, { recursive: true, force: true });
  }
}

const serveArg = process.argv.find((arg) => arg.startsWith('--serve-targets='));
if (serveArg) serveTargets(Number(serveArg.split('=')[1]));
else await main();
