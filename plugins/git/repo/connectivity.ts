/**
 * Proves a push complete before any ref moves: from each new tip, every commit, tree and blob it
 * reaches is present, walking only the objects the push brought (objects already in the repository
 * were proven the same way when they arrived). Every object of the pack must be reached, so the
 * repository never adopts an object whose references were not checked.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import { parseCommit, parseTag } from './commitObject.js';
import type { ObjectStore } from './objectStore.js';
import { parseTree } from '../tree/treeObject.js';

type Expected = 'commit' | 'tree' | 'blob' | 'tag' | 'any';

/** Walks pushed objects; one instance per push, so shared subtrees are walked once. */
export class ConnectivityCheck {
  readonly #store: ObjectStore;
  readonly #reachedNew = new Set<string>();
  readonly #checked = new Set<string>();

  /** `store` searches the push's quarantine first, then the repository. */
  constructor(store: ObjectStore) {
    this.#store = store;
  }

  /**
   * Checks everything `tip` reaches. Throws HEARTH_ERR_GIT_MISSING_OBJECTS naming the first
   * missing object and who refers to it, or HEARTH_ERR_GIT_BAD_OBJECT for a malformed object.
   */
  async checkTip(tip: string, ref: string): Promise<void> {
    const stack: { oid: string; expected: Expected; from: string }[] = [{ oid: tip, expected: 'any', from: ref }];
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      const { oid, expected, from } = item;
      if (this.#checked.has(oid)) continue;
      const where = await this.#store.where(oid);
      if (where === undefined) {
        throw new HearthError('HEARTH_ERR_GIT_MISSING_OBJECTS', `${expected === 'any' ? 'object' : expected} ${oid} (referred to by ${from}) is not in the pack nor in the repository; push from a complete clone`);
      }
      this.#checked.add(oid);
      if (where === 'old') continue;
      this.#reachedNew.add(oid);
      // A blob refers to nothing; its presence is all that matters here.
      if (expected === 'blob') continue;
      const object = await this.#store.read(oid);
      if (expected !== 'any' && object.type !== expected) {
        throw new HearthError('HEARTH_ERR_GIT_BAD_OBJECT', `${from} refers to ${oid} as a ${expected}, but it is a ${object.type}`);
      }
      if (object.type === 'commit') {
        const commit = parseCommit(oid, object.content);
        stack.push({ oid: commit.tree, expected: 'tree', from: `commit ${oid}` });
        for (const parent of commit.parents) stack.push({ oid: parent, expected: 'commit', from: `commit ${oid}` });
      } else if (object.type === 'tree') {
        for (const entry of parseTree(oid, object.content)) {
          // A submodule entry names a commit of another repository: it is never here.
          if (entry.kind === 'submodule') continue;
          stack.push({ oid: entry.oid, expected: entry.kind === 'tree' ? 'tree' : 'blob', from: `tree ${oid}` });
        }
      } else if (object.type === 'tag') {
        const tag = parseTag(oid, object.content);
        const type = tag.type === 'commit' || tag.type === 'tree' || tag.type === 'blob' || tag.type === 'tag' ? tag.type : 'any';
        stack.push({ oid: tag.object, expected: type, from: `tag ${oid}` });
      }
    }
  }

  /** Throws HEARTH_ERR_GIT_BAD_PACK when the pack holds objects no pushed ref reaches. */
  assertPackReached(packObjectCount: number): void {
    if (this.#reachedNew.size < packObjectCount) {
      throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `the pack holds ${packObjectCount - this.#reachedNew.size} object(s) that no pushed ref reaches; push with a standard git client`);
    }
  }
}

/**
 * True when `ancestor` is `descendant` or one of its ancestors (a fast-forward). Walks the
 * descendant's history breadth-first; every commit it meets was proven present by the check above.
 */
export async function isAncestor(store: ObjectStore, ancestor: string, descendant: string): Promise<boolean> {
  const seen = new Set<string>([descendant]);
  const queue = [descendant];
  for (let index = 0; index < queue.length; index++) {
    const oid = queue[index]!;
    if (oid === ancestor) return true;
    const commit = parseCommit(oid, await store.readTyped(oid, 'commit'));
    for (const parent of commit.parents) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return false;
}
