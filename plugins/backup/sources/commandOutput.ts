/**
 * Backs up what a command prints (`pg_dump mydb`, `sqlite3 app.db .dump`). Its stdout is chunked
 * straight into the repository, never held whole in memory or on disk. A command that exits
 * non-zero, is killed, or outlives its timeout fails the snapshot: a half dump must never pass for
 * a backup.
 */
import { spawn } from 'node:child_process';
import { HearthError } from '../../../core/errors/HearthError.js';
import { streamReader } from '../format/chunkStream.js';
import { storeBytes, type StoreContext } from '../repository/storeFiles.js';

/** The end of stderr kept for the error message, in bytes. */
const STDERR_TAIL_BYTES = 2048;

/** Runs `command` with `/bin/sh -c` and stores its stdout; returns its chunks and length. */
export async function storeCommandOutput(context: StoreContext, name: string, command: string, timeoutMs: number): Promise<{ chunks: string[]; size: number }> {
  // Its own process group, so a timeout kills the command and everything it started.
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = Buffer.alloc(0);
  child.stderr.on('data', (data: Buffer) => {
    stderr = Buffer.concat([stderr, data]);
    if (stderr.length > STDERR_TAIL_BYTES) stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  exited.catch(() => undefined);
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, timeoutMs);
  try {
    const stored = await storeBytes(context, streamReader(child.stdout));
    const { code, signal } = await exited;
    if (timedOut || code !== 0) {
      const why = timedOut ? `did not finish within ${timeoutMs} ms` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = stderr.toString('utf8').trim();
      throw new HearthError('HEARTH_ERR_BACKUP_COMMAND_FAILED', `backup command '${name}' (${command}) ${why}, so no snapshot was written${tail ? `; its stderr ends: ${tail.slice(-500)}` : ''}`);
    }
    return stored;
  } catch (error) {
    kill();
    if (error instanceof HearthError) throw error;
    throw new HearthError('HEARTH_ERR_BACKUP_COMMAND_FAILED', `backup command '${name}' (${command}) could not run: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
