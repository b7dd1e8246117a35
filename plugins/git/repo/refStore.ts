/**
 * The refs of a bare repository, in git's own on-disk format (loose files under `refs/`, plus a
 * `packed-refs` file if C git ever packed them), so the repository stays readable by any git.
 * Writes are atomic and durable: a temporary file is synced, renamed over the ref, and the
 * directory synced, so a crash leaves the old id or the new one.
 */
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isOid } from '../protocol/refName.js';
import { syncDirectory } from '../../../core/services/syncDirectory.js';

/** A ref and the object it points to. */
export interface RefEntry {
  readonly name: string;
  readonly oid: string;
}

/** Reads and writes the refs of one bare repository. Callers serialise writes (see siteLock.ts). */
export class RefStore {
  readonly #gitdir: string;

  constructor(gitdir: string) {
    this.#gitdir = gitdir;
  }

  /** Every branch and tag, sorted by name. Loose refs win over packed ones. */
  async list(): Promise<RefEntry[]> {
    const refs = new Map<string, string>(await this.#packed());
    for (const name of await this.#looseNames('refs')) {
      const oid = await this.#readLoose(name);
      if (oid) refs.set(name, oid);
    }
    return [...refs].filter(([name]) => name.startsWith('refs/heads/') || name.startsWith('refs/tags/'))
      .map(([name, oid]) => ({ name, oid }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The id a ref points to, or `undefined` when it does not exist. */
  async read(name: string): Promise<string | undefined> {
    return (await this.#readLoose(name)) ?? (await this.#packed()).get(name);
  }

  /** Points `name` at `oid`, atomically and durably. */
  async write(name: string, oid: string): Promise<void> {
    const path = join(this.#gitdir, name);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'w', 0o644);
    try {
      await handle.writeFile(`${oid}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    await syncDirectory(dirname(path));
  }

  /** Deletes a ref, loose and packed. */
  async delete(name: string): Promise<void> {
    await rm(join(this.#gitdir, name), { force: true });
    const packed = await this.#packed();
    if (packed.has(name)) {
      const text = await readFile(join(this.#gitdir, 'packed-refs'), 'utf8');
      const kept: string[] = [];
      let dropPeel = false;
      for (const line of text.split('\n')) {
        if (line.startsWith('^')) {
          if (!dropPeel) kept.push(line);
          continue;
        }
        dropPeel = line.endsWith(` ${name}`);
        if (!dropPeel) kept.push(line);
      }
      const temporary = join(this.#gitdir, `packed-refs.${randomBytes(6).toString('hex')}.tmp`);
      await writeFile(temporary, kept.join('\n'));
      await rename(temporary, join(this.#gitdir, 'packed-refs'));
    }
    await syncDirectory(dirname(join(this.#gitdir, name)));
  }

  async #readLoose(name: string): Promise<string | undefined> {
    try {
      const oid = (await readFile(join(this.#gitdir, name), 'utf8')).trim();
      return isOid(oid) ? oid : undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  async #looseNames(relative: string): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(join(this.#gitdir, relative), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const names: string[] = [];
    for (const entry of entries) {
      const name = `${relative}/${entry.name}`;
      if (entry.isDirectory()) names.push(...(await this.#looseNames(name)));
      else if (entry.isFile() && !entry.name.endsWith('.tmp') && !entry.name.endsWith('.lock')) names.push(name);
    }
    return names;
  }

  async #packed(): Promise<Map<string, string>> {
    const refs = new Map<string, string>();
    let text: string;
    try {
      text = await readFile(join(this.#gitdir, 'packed-refs'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return refs;
      throw error;
    }
    for (const line of text.split('\n')) {
      const [oid, name] = line.split(' ');
      if (oid !== undefined && name !== undefined && isOid(oid)) refs.set(name, oid);
    }
    return refs;
  }
}

