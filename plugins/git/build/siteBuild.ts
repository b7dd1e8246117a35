/**
 * A site build: the commit's files written to a temporary checkout, the build command run there,
 * and the files of its output directory collected for deploy. The checkout is always removed.
 * Output entries are read with lstat and never followed: a symlink in the output fails the build
 * (it could point anywhere on the host), other special files are skipped.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { HearthError } from '../../../core/errors/HearthError.js';
import { blobIdOf } from '../../../core/services/releases/releaseLayout.js';
import type { TreeFile } from '../tree/siteTree.js';
import { runBuild } from './buildCommand.js';

/** One file of a build's output. */
export interface BuiltFile {
  readonly path: string;
  readonly blob: string;
  readonly mode: 'file' | 'executable';
  readonly size: number;
}

/** What {@link buildSite} needs. */
export interface SiteBuildRun {
  readonly files: readonly TreeFile[];
  readBlob(oid: string): Promise<Buffer>;
  readonly command: string;
  readonly output: string;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  onOutput(text: string): void;
}

/** A finished build: its files, and a reader of their content valid until `dispose`. */
export interface SiteBuild {
  readonly files: readonly BuiltFile[];
  readBlob(blob: string): Promise<Buffer>;
  dispose(): Promise<void>;
}

/** Checks out, builds and collects. Throws HEARTH_ERR_GIT_BUILD_FAILED when the build fails or its output is unusable. */
export async function buildSite(run: SiteBuildRun): Promise<SiteBuild> {
  const root = await mkdtemp(join(tmpdir(), 'hearth-build-'));
  try {
    const checkout = join(root, 'checkout');
    const home = join(root, 'home');
    await mkdir(home);
    for (const file of run.files) {
      const target = join(checkout, ...file.path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, await run.readBlob(file.oid), { mode: file.mode === 'executable' ? 0o755 : 0o644 });
    }
    await mkdir(checkout, { recursive: true });
    const outcome = await runBuild({ command: run.command, cwd: checkout, home, timeoutMs: run.timeoutMs, maxOutputBytes: run.maxOutputBytes, onOutput: run.onOutput });
    if (!outcome.ok) {
      const why = outcome.timedOut ? `timed out after ${run.timeoutMs} ms` : outcome.exitCode !== null ? `exited with status ${outcome.exitCode}` : `was killed by ${outcome.signal ?? 'a signal'}`;
      throw new HearthError('HEARTH_ERR_GIT_BUILD_FAILED', `the build command ${why}`);
    }
    // Resolved through symlinks: a build could link a directory of the output path elsewhere.
    const realCheckout = await realpath(checkout);
    const outputDir = await realpath(resolve(checkout, run.output)).catch(() => resolve(checkout, run.output));
    if (outputDir !== realCheckout && !outputDir.startsWith(realCheckout + sep)) {
      throw new HearthError('HEARTH_ERR_GIT_BUILD_FAILED', `build output '${run.output}' is outside the checkout; use a path inside the repository`);
    }
    const info = await lstat(outputDir).catch(() => undefined);
    if (!info?.isDirectory()) throw new HearthError('HEARTH_ERR_GIT_BUILD_FAILED', `the build did not produce its output directory '${run.output}'`);
    const files = await collectOutput(outputDir, run);
    const byBlob = new Map(files.map((file) => [file.blob, join(outputDir, ...file.path.split('/'))]));
    return {
      files,
      readBlob: async (blob) => {
        const path = byBlob.get(blob);
        if (!path) throw new Error(`blob ${blob} is not part of the build output`);
        return readFile(path);
      },
      dispose: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

async function collectOutput(outputDir: string, run: SiteBuildRun): Promise<BuiltFile[]> {
  const files: BuiltFile[] = [];
  const pending = [outputDir];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const absolute = join(dir, entry.name);
      const path = relative(outputDir, absolute).split(sep).join('/');
      if (entry.isSymbolicLink()) {
        throw new HearthError('HEARTH_ERR_GIT_BUILD_FAILED', `build output ${JSON.stringify(path)} is a symlink; symlinks are never followed nor deployed`);
      }
      if (entry.name === '.git') continue;
      if (entry.isDirectory()) {
        pending.push(absolute);
        continue;
      }
      if (!entry.isFile()) continue;
      const info = await lstat(absolute);
      if (info.size > run.maxFileBytes) {
        throw new HearthError('HEARTH_ERR_GIT_FILE_TOO_LARGE', `build output ${JSON.stringify(path)} is ${info.size} bytes, over the site's limit of ${run.maxFileBytes} (maxFileBytes)`);
      }
      files.push({ path, blob: blobIdOf(await readFile(absolute)), mode: info.mode & 0o111 ? 'executable' : 'file', size: info.size });
      if (files.length > run.maxFiles) throw new HearthError('HEARTH_ERR_GIT_BUILD_FAILED', `the build output has more than ${run.maxFiles} files (maxFiles)`);
    }
  }
  return files;
}
