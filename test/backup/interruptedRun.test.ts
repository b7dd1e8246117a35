import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runBackup } from '../../plugins/backup/repository/backupRun.js';
import { restoreTree } from '../../plugins/backup/repository/restoreTree.js';
import { checkRepository } from '../../plugins/backup/repository/check.js';
import type { Repository } from '../../plugins/backup/repository/repository.js';
import { createRepository, describeTree, removeTempDirs, runOptions, tempDir, writeSampleState } from './backupFixture.js';

afterAll(removeTempDirs);

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = fileURLToPath(new URL('./processes/backupProcess.ts', import.meta.url));

async function countFiles(dir: string): Promise<number> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

async function restoreSnapshot(repo: Repository, id: string, into: string): Promise<void> {
  const { index } = await repo.loadIndex();
  const stored = (await repo.listSnapshots()).snapshots.find((s) => s.id === id)!;
  await mkdir(into, { recursive: true });
  await restoreTree(repo, index, await repo.loadTree(index, stored.snapshot.sources[0]!.tree), into);
}

describe('a backup killed with SIGKILL mid-run', () => {
  it('leaves no broken snapshot; the next run succeeds reusing the uploaded packs, and every snapshot restores', async () => {
    const state = await writeSampleState(await tempDir());
    const repoDir = await tempDir();
    const repo = await createRepository(repoDir);
    const first = await runBackup(repo, [{ kind: 'path', name: 'state', path: state }], runOptions(await tempDir()));
    const firstTree = await describeTree(state);

    const big = randomBytes(24 * 1024 * 1024);
    await writeFile(join(state, 'uploads.bin'), big);
    const filesBefore = await countFiles(repoDir);
    const child = spawn(process.execPath, ['--import', 'tsx', script, repoDir, state, await tempDir()], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)));
    // Kill it once some packs of the new file are on the target (each pack is 256 KiB; the file ~100 packs).
    for (let waited = 0; (await countFiles(repoDir)) < filesBefore + 10; waited += 20) {
      if (child.exitCode !== null) throw new Error(`the backup process ended before it was killed: ${stderr}`);
      if (waited > 30_000) throw new Error('the backup process stored nothing within 30 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect((await repo.listSnapshots()).snapshots.map((s) => s.id)).toEqual([first.id]);

    const next = await runBackup(repo, [{ kind: 'path', name: 'state', path: state }], runOptions(await tempDir()));
    expect(next.snapshot.summary.addedBytes).toBeLessThan(big.length);
    expect((await checkRepository(repo, { readData: true })).errors).toEqual([]);

    const old = await tempDir();
    await restoreSnapshot(repo, first.id, old);
    expect(await describeTree(old)).toEqual(firstTree);
    const latest = await tempDir();
    await restoreSnapshot(repo, next.id, latest);
    expect(await describeTree(latest)).toEqual(await describeTree(state));
  });
});
