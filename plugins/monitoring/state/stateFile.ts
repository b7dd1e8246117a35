/**
 * A JSON state file in the plugin's data directory, replaced atomically (write a temporary file,
 * fsync, rename, fsync the directory) so a crash leaves either the old or the new content, never
 * half of one. Writes to one file are serialized; the latest content always wins.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HearthError } from '../../../core/errors/HearthError.js';
import { syncDirectory } from '../../../core/services/syncDirectory.js';

/** Largest state file read back; anything bigger is treated as corrupt. */
const MAX_STATE_BYTES = 64 * 1024 * 1024;

/** One state file. */
export class StateFile<T> {
  readonly path: string;
  #chain: Promise<void> = Promise.resolve();

  constructor(dir: string, name: string) {
    this.path = join(dir, name);
  }

  /** Reads the file; undefined when it does not exist. Throws HEARTH_ERR_MONITORING_STATE if unreadable. */
  async read(check: (value: unknown) => T): Promise<T | undefined> {
    let text: string;
    try {
      const handle = await open(this.path, 'r');
      try {
        const { size } = await handle.stat();
        if (size > MAX_STATE_BYTES) throw new Error(`it is ${size} bytes, more than the ${MAX_STATE_BYTES} allowed`);
        text = await readFile(handle, 'utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new HearthError('HEARTH_ERR_MONITORING_STATE', `cannot read '${this.path}': ${(error as Error).message}`, { cause: error });
    }
    try {
      return check(JSON.parse(text) as unknown);
    } catch (error) {
      throw new HearthError(
        'HEARTH_ERR_MONITORING_STATE',
        `'${this.path}' is not a valid state file (${(error as Error).message}); move it aside to start with empty state`,
        { cause: error },
      );
    }
  }

  /** Replaces the file's content atomically. Resolves once the data is durable. */
  write(value: T): Promise<void> {
    const text = JSON.stringify(value);
    const next = this.#chain.then(() => this.#writeNow(text));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #writeNow(text: string): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const temporary = `${this.path}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
    await syncDirectory(dir);
  }
}
