/**
 * Reads git objects from one or more object directories in order — a push's quarantine first,
 * then the repository — so a pushed pack can be checked before it joins the repository. Presence
 * is answered from the pack indexes ({@link PackIndexFile}); objects are read with isomorphic-git's
 * `readObject` in the directory that holds them, sharing one isomorphic-git cache per store (it
 * keeps parsed indexes, loaded packs and resolved delta bases).
 */
import * as fs from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HearthError } from '../../../core/errors/HearthError.js';
import { readPackIndexes, type PackIndexFile } from './packIndexFile.js';
import { isomorphicGit } from './isomorphicGit.js';

/** A git object's type and content. */
export interface GitObject {
  readonly type: 'commit' | 'tree' | 'blob' | 'tag';
  readonly content: Buffer;
}

interface ObjectDir {
  readonly gitdir: string;
  packs: readonly PackIndexFile[] | undefined;
}

type Location = { readonly dir: ObjectDir };

/**
 * Object lookups over several git directories. Holds pack indexes and loaded packs, so make one
 * per operation (a push, a fetch) and let it go afterwards.
 */
export class ObjectStore {
  readonly #dirs: ObjectDir[];
  /** isomorphic-git's cache: without it every read parses the pack index and loads the pack again. */
  readonly #cache: object = {};

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
    const { readObject } = await isomorphicGit();
    try {
      const read = await readObject({ fs, gitdir: location.dir.gitdir, oid, format: 'content', cache: this.#cache });
      const content = read.object as Uint8Array;
      if (read.type !== 'commit' && read.type !== 'tree' && read.type !== 'blob' && read.type !== 'tag') throw new Error(`unknown object type ${String(read.type)}`);
      return { type: read.type, content: Buffer.from(content.buffer, content.byteOffset, content.byteLength) };
    } catch (error) {
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
      dir.packs ??= await readPackIndexes(dir.gitdir);
      for (const pack of dir.packs) {
        if (pack.has(oid)) return { dir };
      }
      if (await isFile(looseObjectPath(dir.gitdir, oid))) return { dir };
    }
    return undefined;
  }
}

function looseObjectPath(gitdir: string, oid: string): string {
  return join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
