/**
 * bench:backup — Hearth's backup beside restic (Debian's, the anchor) on one generated dataset of
 * about 430 MB: access logs, markdown pages and many small text files (about 60 %), and random
 * binaries standing in for media and archives (about 40 %). Both tools write to local directories.
 *
 * Measured for each tool, in the same run: a first backup into a fresh repository, a second after
 * changing one file, and a full restore into an empty directory; then the repository sizes.
 * Repository creation (`restic init`, Hearth's init) is not timed; opening the repository with the
 * passphrase is. Hearth runs in-process, as the host runs its scheduled backups; its codec worker
 * threads are started before timing, because from source each loads its code through tsx (about
 * 0.5 s here), which a built install does not. Each step is run RUNS times, alternating the tools,
 * and the median is reported. Targets: every time ratio <= 1.0,
 * size ratio <= 1.05. The last line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createStorage } from '../core/services/storage/createStorage.js';
import { systemClock } from '../core/services/clock.js';
import { BackupTarget } from '../plugins/backup/repository/target.js';
import { Repository } from '../plugins/backup/repository/repository.js';
import { runBackup, type BackupRunOptions } from '../plugins/backup/repository/backupRun.js';
import { restoreTree } from '../plugins/backup/repository/restoreTree.js';
import { newestFirst } from '../plugins/backup/format/snapshot.js';
import { CodecPool } from '../plugins/backup/format/codecPool.js';
import { packerOptions } from '../plugins/backup/runtime/backupJob.js';
import { BACKUP_DEFAULTS } from '../plugins/backup/config.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PASSPHRASE = 'bench passphrase';
const logger = pino({ level: 'warn' });

/** A deterministic generator (xorshift32), so both tools and every run see the same bytes. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

async function generateDataset(dir: string): Promise<number> {
  const random = generator(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const syllables = ['ka', 'to', 'ri', 'en', 'sa', 'mo', 'lu', 'ver', 'an', 'di', 'po', 'ne', 'sh', 'ta', 'le', 'co', 'ur', 'mi', 'gra', 'fo', 'the', 'in', 'ho', 'be'];
  const words = Array.from({ length: 8000 }, () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(syllables)).join(''));
  // Zipf-like: a few words are frequent, most are rare, as in real text.
  const word = () => words[Math.floor(Math.pow(words.length, random())) - 1]!;
  const prose = (bytes: number) => {
    const lines: string[] = [];
    for (let n = 0; n < bytes; ) {
      const line = `${Array.from({ length: 5 + Math.floor(random() * 12) }, word).join(' ')}.\n`;
      lines.push(line);
      n += line.length;
    }
    return Buffer.from(lines.join(''));
  };
  const paths = ['/', '/about', '/blog/post-1', '/blog/post-2', '/assets/app.js', '/assets/style.css', '/img/logo.png', '/api/v1/items', '/feed.xml'];
  const accessLog = (bytes: number) => {
    const lines: string[] = [];
    let time = 1_700_000_000;
    for (let n = 0; n < bytes; ) {
      time += Math.floor(random() * 3);
      const ip = `${10 + Math.floor(random() * 200)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`;
      const line = `${ip} - - [${new Date(time * 1000).toISOString()}] "GET ${pick(paths)}?q=${Math.floor(random() * 100000)} HTTP/1.1" ${random() < 0.9 ? 200 : 404} ${Math.floor(random() * 50000)} "-" "Mozilla/5.0 (X11; Linux x86_64)"\n`;
      lines.push(line);
      n += line.length;
    }
    return Buffer.from(lines.join(''));
  };
  let stream = 0;
  const noise = (bytes: number) => createCipheriv('aes-128-ctr', createHash('sha256').update(`noise:${stream++}`).digest().subarray(0, 16), Buffer.alloc(16)).update(Buffer.alloc(bytes));
  let total = 0;
  const write = async (path: string, data: Buffer) => {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), data);
    total += data.length;
  };
  for (let i = 0; i < 10; i++) await write(`logs/access-${i}.log`, accessLog(12 << 20));
  for (let i = 0; i < 400; i++) await write(`docs/section-${i % 20}/page-${i}.md`, prose(50_000 + Math.floor(random() * 100_000)));
  for (let i = 0; i < 2000; i++) await write(`src/module-${i % 50}/file-${i}.txt`, prose(2_000 + Math.floor(random() * 12_000)));
  for (let i = 0; i < 7; i++) await write(`media/video-${i}.bin`, noise(25 << 20));
  for (let i = 0; i < 60; i++) await write(`media/images/img-${i}.jpg`, noise((512 << 10) + Math.floor(random() * (1 << 20))));
  return total;
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  return total;
}

async function treeDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
  for (const file of files) hash.update(file.slice(dir.length)).update(await readFile(file));
  return hash.digest('hex');
}

async function timed(tool: Tool, step: () => Promise<unknown>): Promise<number> {
  await tool.prepare();
  const started = performance.now();
  await step();
  return (performance.now() - started) / 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** One tool's steps. */
interface Tool {
  /** Untimed preparation before each timed step. */
  prepare(): Promise<void>;
  init(): Promise<void>;
  backup(): Promise<void>;
  restore(into: string): Promise<void>;
  repository: string;
}

function hearth(data: string, work: string): Tool {
  const repository = join(work, 'hearth-repo');
  const target = () => new BackupTarget(createStorage({ engine: 'fs', dir: repository }, logger), { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }, logger, repository);
  const options: BackupRunOptions = {
    host: 'bench', stage: 'production', clock: systemClock, logger, scratchDir: work,
    lock: { waitMs: 0, staleMs: 60_000, refreshMs: 30_000 },
    packer: packerOptions(BACKUP_DEFAULTS.packSize),
  };
  return {
    repository,
    prepare: () => CodecPool.shared().warmUp(),
    init: async () => void (await Repository.init(target(), PASSPHRASE)),
    backup: async () => void (await runBackup(await Repository.open(target(), PASSPHRASE), [{ kind: 'path', name: 'data', path: data }], options)),
    async restore(into) {
      const repo = await Repository.open(target(), PASSPHRASE);
      const { index } = await repo.loadIndex();
      const latest = newestFirst((await repo.listSnapshots()).snapshots)[0]!;
      await mkdir(into, { recursive: true });
      await restoreTree(repo, index, await repo.loadTree(index, latest.snapshot.sources[0]!.tree), into);
    },
  };
}

function restic(data: string, work: string): Tool {
  const repository = join(work, 'restic-repo');
  const run = (...args: string[]) => execFileSync('restic', ['-q', '-r', repository, '--cache-dir', join(work, 'restic-cache'), ...args], { env: { ...process.env, RESTIC_PASSWORD: PASSPHRASE }, stdio: ['ignore', 'ignore', 'inherit'] });
  return {
    repository,
    prepare: async () => undefined,
    init: async () => void run('init'),
    backup: async () => void run('backup', data),
    restore: async (into) => void run('restore', 'latest', '--target', into),
  };
}

const root = await mkdtemp(join(tmpdir(), 'hearth-bench-backup-'));
try {
  const data = join(root, 'data');
  const generated = await generateDataset(data);
  console.log(`dataset: ${(generated / 1e6).toFixed(0)} MB in ${(await readdir(data, { recursive: true })).length} entries; ${RUNS} runs, medians reported`);
  const times = { hearth: { first: [] as number[], incr: [] as number[], restore: [] as number[] }, restic: { first: [] as number[], incr: [] as number[], restore: [] as number[] } };
  const sizes = { hearth: 0, restic: 0 };
  for (let run = 0; run < RUNS; run++) {
    const work = join(root, `run-${run}`);
    await mkdir(work);
    const tools = { hearth: hearth(data, work), restic: restic(data, work) };
    const order = run % 2 === 0 ? (['hearth', 'restic'] as const) : (['restic', 'hearth'] as const);
    for (const name of order) await tools[name].init();
    for (const name of order) times[name].first.push(await timed(tools[name], () => tools[name].backup()));
    const changed = join(data, `docs/section-${run}/page-${run}.md`);
    await writeFile(changed, Buffer.concat([await readFile(changed), Buffer.from(`\nedited in run ${run}\n`)]));
    for (const name of order) times[name].incr.push(await timed(tools[name], () => tools[name].backup()));
    for (const name of order) times[name].restore.push(await timed(tools[name], () => tools[name].restore(join(work, `${name}-restored`))));
    sizes.hearth = await directoryBytes(tools.hearth.repository);
    sizes.restic = await directoryBytes(tools.restic.repository);
    if (run === 0 && (await treeDigest(join(work, 'hearth-restored'))) !== (await treeDigest(data))) throw new Error('Hearth restored different bytes');
    console.log(`run ${run + 1}: hearth ${times.hearth.first[run]!.toFixed(2)} / ${times.hearth.incr[run]!.toFixed(2)} / ${times.hearth.restore[run]!.toFixed(2)} s; restic ${times.restic.first[run]!.toFixed(2)} / ${times.restic.incr[run]!.toFixed(2)} / ${times.restic.restore[run]!.toFixed(2)} s`);
    await rm(work, { recursive: true, force: true });
  }
  const summary = (name: 'hearth' | 'restic') => ({
    first_s: Number(median(times[name].first).toFixed(2)),
    incr_s: Number(median(times[name].incr).toFixed(2)),
    restore_s: Number(median(times[name].restore).toFixed(2)),
    repo_mb: Number((sizes[name] / 1e6).toFixed(1)),
  });
  const h = summary('hearth');
  const r = summary('restic');
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  console.log('restore of run 1 verified byte-identical (Hearth)');
  console.log(`first backup   hearth ${h.first_s} s   restic ${r.first_s} s`);
  console.log(`incremental    hearth ${h.incr_s} s   restic ${r.incr_s} s`);
  console.log(`full restore   hearth ${h.restore_s} s   restic ${r.restore_s} s`);
  console.log(`repository     hearth ${h.repo_mb} MB   restic ${r.repo_mb} MB`);
  console.log(JSON.stringify({ bench: 'backup', hearth: h, restic: r, ratio_first: ratio(h.first_s, r.first_s), ratio_incr: ratio(h.incr_s, r.incr_s), ratio_restore: ratio(h.restore_s, r.restore_s), ratio_size: ratio(h.repo_mb, r.repo_mb) }));
} finally {
  await rm(root, { recursive: true, force: true });
}
