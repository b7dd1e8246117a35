/**
 * Which objects a clone or fetch receives: everything the wanted tips reach, minus the history of
 * the commits both sides have. Trees and blobs are subtracted only as far as the common commits'
 * own trees (git's "edge" rule): an object the client already has from older history may be sent
 * again, which costs bytes but never correctness.
 */
import type { ObjectStore } from '../repo/objectStore.js';
import { parseCommit, parseTag } from '../repo/commitObject.js';
import { parseTree } from '../tree/treeObject.js';

const NOTHING: ReadonlySet<string> = new Set();

/** The object ids to pack for `wants`, given the `commons` the client has. */
export async function selectObjects(store: ObjectStore, wants: readonly string[], commons: readonly string[]): Promise<string[]> {
  const excludedCommits = new Set<string>();
  const edgeTrees: string[] = [];
  for (const oid of commons) {
    const object = await store.read(oid);
    if (object.type !== 'commit') continue;
    edgeTrees.push(parseCommit(oid, object.content).tree);
    await walkCommits(store, oid, excludedCommits, NOTHING);
  }
  const excludedTreeObjects = new Set<string>();
  for (const tree of edgeTrees) await walkTree(store, tree, excludedTreeObjects, NOTHING, () => {});

  const selected: string[] = [];
  const added = new Set<string>();
  const add = (oid: string): void => {
    if (!added.has(oid)) {
      added.add(oid);
      selected.push(oid);
    }
  };
  const commits = new Set<string>();
  const walked = new Set<string>();
  for (const want of wants) {
    let oid = want;
    let object = await store.read(oid);
    for (; object.type === 'tag'; object = await store.read(oid)) {
      add(oid);
      oid = parseTag(oid, object.content).object;
    }
    if (object.type === 'commit') await walkCommits(store, oid, commits, excludedCommits);
    else if (object.type === 'tree') await walkTree(store, oid, walked, excludedTreeObjects, add);
    else add(oid);
  }
  for (const commit of commits) {
    add(commit);
    await walkTree(store, parseCommit(commit, await store.readTyped(commit, 'commit')).tree, walked, excludedTreeObjects, add);
  }
  return selected;
}

/** Adds `tip` and its ancestors to `into`, not crossing commits in `stop`. */
async function walkCommits(store: ObjectStore, tip: string, into: Set<string>, stop: ReadonlySet<string>): Promise<void> {
  const queue = [tip];
  for (let oid = queue.pop(); oid !== undefined; oid = queue.pop()) {
    if (into.has(oid) || stop.has(oid)) continue;
    const object = await store.read(oid);
    if (object.type !== 'commit') continue;
    into.add(oid);
    queue.push(...parseCommit(oid, object.content).parents);
  }
}

/** Calls `visit` for a tree and every tree and blob below it, skipping `skip` and objects already `seen`. */
async function walkTree(store: ObjectStore, root: string, seen: Set<string>, skip: ReadonlySet<string>, visit: (oid: string) => void): Promise<void> {
  const queue = [root];
  for (let oid = queue.pop(); oid !== undefined; oid = queue.pop()) {
    if (skip.has(oid) || seen.has(oid)) continue;
    seen.add(oid);
    visit(oid);
    for (const entry of parseTree(oid, await store.readTyped(oid, 'tree'))) {
      if (entry.kind === 'submodule' || skip.has(entry.oid) || seen.has(entry.oid)) continue;
      if (entry.kind === 'tree') queue.push(entry.oid);
      else {
        seen.add(entry.oid);
        visit(entry.oid);
      }
    }
  }
}
