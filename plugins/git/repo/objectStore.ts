/**
 * Reads git objects from one or more object directories in order — a push's quarantine first,
 * then the repository — so a pushed pack can be checked before it joins the repository. Presence
 * is answered from the pack indexes; objects are read with {@link PackReader} (native zlib) or
 * from loose files.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { HearthError } from '../../../core/errors/HearthError.js';
import { PackIndexFile } from './packIndexFile.js';
import { PackReader } from './packReader.js';

/** A git object's type and content. */
export interface GitObject {
  readonly type: 'commit' | 'tree' | 'blob' | 'tag';
  readonly content: Buffer;
}

interface Pack {
  readonly path: string;
  readonly index: PackIndexFile;
  reader?: Promise<PackReader>;
}

interface ObjectDir {
  readonly gitdir: string;
  packs: Pack[] | undefined;
}

type Location = { readonly dir: ObjectDir; readonly pack?: Pack; readonly offset?: number };

/**
 * Object lookups over several git directories. Holds pack indexes and loaded packs, so make one
 * per operation (a push, a fetch) and let it go afterwards.
 */
export class ObjectStore {
  readonly #dirs: ObjectDir[];

  /** `gitdirs` are searched in order; each has an `objects/` directory. */
  constructor(gitdirs: readonly string[]) {
    this.#dirs = gitdirs.map((gitdir) => ({ gitdir, packs: undefined }));
  }

  /** True when any of the directories holds the object (loose or packed). */
  async has(oid: string): Promise<boolean> {
    return (await this.#locate(oid)) !== undefined;
  }

  /**
   * Where an object is: `new` when only the first directory (a push's quarantine) holds it,
   * `old` when a later one (the repository) does, `undefined` when none does.
   */
  async where(oid: string): Promise<'new' | 'old' | undefined> {
    const location = await this.#locate(oid);
    if (location === undefined) return undefined;
    return location.dir === this.#dirs[0] && this.#dirs.length > 1 ? 'new' : 'old';
  }

  /** Reads an object. Throws HEARTH_ERR_GIT_MISSING_OBJECTS when no directory holds it. */
  async read(oid: string): Promise<GitObject> {
    const location = await this.#locate(oid);
    if (!location) throw new HearthError('HEARTH_ERR_GIT_MISSING_OBJECTS', `object ${oid} is missing; push again from a complete clone`);
    try {
      if (location.pack && location.offset !== undefined) {
        location.pack.reader ??= PackReader.open(location.pack.path);
        return await (await location.pack.reader).read(location.offset, (base) => this.read(base));
      }
      return parseLoose(oid, inflateSync(await readFile(looseObjectPath(location.dir.gitdir, oid))));
    } catch (error) {
      if (error instanceof HearthError) throw error;
      throw new HearthError('HEARTH_ERR_GIT_BAD_OBJECT', `object ${oid} cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Reads an object and checks its type. */
  async readTyped(oid: string, type: GitObject['type']): Promise<Buffer> {
    const object = await this.read(oid);
    if (object.type !== type) {
      throw new HearthError('HEARTH_ERR_GIT_BAD_OBJECT', `object ${oid} is a ${object.type} where a ${type} was expected`);
    }
    return object.content;
  }

  async #locate(oid: string): Promise<Location | undefined> {
    for (const dir of this.#dirs) {
      dir.packs ??= await loadPacks(dir.gitdir);
      for (const pack of dir.packs) {
        const offset = pack.index.offsetOf(oid);
        if (offset !== undefined) return { dir, pack, offset };
      }
      if (await isFile(looseObjectPath(dir.gitdir, oid))) return { dir };
    }
    return undefined;
  }
}

function looseObjectPath(gitdir: string, oid: string): string {
  return join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
}

function parseLoose(oid: string, raw: Buffer): GitObject {
  const nul = raw.indexOf(0);
  const [type, size] = raw.toString('latin1', 0, nul < 0 ? 0 : nul).split(' ');
  if ((type !== 'commit' && type !== 'tree' && type !== 'blob' && type !== 'tag') || Number(size) !== raw.length - nul - 1) {
    throw new Error(`loose object ${oid} has a malformed header`);
  }
  return { type, content: raw.subarray(nul + 1) };
}

async function loadPacks(gitdir: string): Promise<Pack[]> {
  const packDir = join(gitdir, 'objects', 'pack');
  let names: string[];
  try {
    names = await readdir(packDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // An index without its pack is a half-moved pack; it does not count until the pack is there.
  const indexes = names.filter((name) => name.endsWith('.idx') && names.includes(name.replace(/\.idx$/, '.pack')));
  return Promise.all(indexes.map(async (name) => ({ path: join(packDir, name.replace(/\.idx$/, '.pack')), index: await PackIndexFile.read(join(packDir, name)) })));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
