/**
 * A consistent copy of the embedded analytics database (the DuckDB file), for backups, and putting
 * one back on restore. While the host runs, its store holds the file: the copy is taken through
 * that store, after a CHECKPOINT (everything in the file, nothing left in the WAL) and with its
 * writes held, so nothing changes the file while it is copied (readers do not write). Without a
 * store of this process holding it, the file is opened, checkpointed and closed first; a file
 * that another process holds cannot be copied consistently, and the error says what to do.
 *
 * The held file is copied by a child process: DuckDB's lock on it is a POSIX lock, which a
 * process loses when it closes any descriptor of the file — a copy opened and closed by the host
 * itself would let another process open the database while the host still writes it.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, open, rename } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, dirname, join } from 'node:path';
import { HearthError } from '../../errors/HearthError.js';
import { pathExists } from '../pathExists.js';
import { syncDirectory } from '../syncDirectory.js';
import { copyInProgress, heldDuckDBFile, withFileUnheld } from './duckdbEngine.js';

const runFile = promisify(execFile);
/** Milliseconds the copy of a held file may take while the store's writes wait: 10 minutes covers tens of GB. */
const COPY_TIMEOUT_MS = 600_000;

/** Copies `file` to `target` consistently; false (nothing written) when there is no database yet. */
export async function copyDuckDBFile(file: string, target: string): Promise<boolean> {
  if (!(await pathExists(file))) return false;
  for (;;) {
    const held = heldDuckDBFile(file);
    if (held) {
      await held.holdingWrites(async (run) => {
        await run('CHECKPOINT');
        await copyInChildProcess(file, target);
      });
      return true;
    }
    const unheld = withFileUnheld(file, () => checkpointAndCopy(file, target));
    if (unheld !== undefined) {
      await unheld;
      return true;
    }
    // Another copy of the same file is being made: look again once it is done.
    await copyInProgress(file);
  }
}

/** Opens a file no engine of this process holds, checkpoints it, closes it and copies it. */
async function checkpointAndCopy(file: string, target: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  let instance: Awaited<ReturnType<typeof DuckDBInstance.create>>;
  try {
    instance = await DuckDBInstance.create(file);
  } catch (error) {
    throw new HearthError(
      'HEARTH_ERR_ANALYTICS_UNAVAILABLE',
      `the analytics database ${file} cannot be opened to copy it; when the host is running it holds the file, and the host's own scheduled backups include it — stop the host to back it up from the command line`,
      { cause: error },
    );
  }
  try {
    const connection = await instance.connect();
    await connection.run('CHECKPOINT');
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
  await copyFile(file, target);
}

/**
 * Puts a copy made by {@link copyDuckDBFile} in place of `file`, with no store open on it (the
 * host is stopped). The database it replaces is kept in `.pre-restore/` beside it, its WAL with
 * it, moved first: a WAL left over from the old file must never be replayed onto the restored one.
 */
export async function placeDuckDBFile(source: string, file: string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const incoming = `${file}.restoring`;
  await copyFile(source, incoming);
  const handle = await open(incoming, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  const aside = join(dir, '.pre-restore', new Date().toISOString().replace(/[:.]/g, '-'));
  for (const old of [`${file}.wal`, file]) {
    if (!(await pathExists(old))) continue;
    await mkdir(aside, { recursive: true });
    await rename(old, join(aside, basename(old)));
  }
  await rename(incoming, file);
  await syncDirectory(dir);
}

/** `copyFile` run by a short-lived Node process, so this process never opens the file. */
async function copyInChildProcess(file: string, target: string): Promise<void> {
  await runFile(process.execPath, ['-e', 'require("node:fs").copyFileSync(process.argv[1], process.argv[2])', file, target], { timeout: COPY_TIMEOUT_MS });
}
