/**
 * The files a commit deploys: its tree walked recursively, every name checked. A name that could
 * escape or confuse a path (`..`, `.`, `.git`, `/`, NUL), a duplicate name or a symlink rejects the
 * whole tree; a submodule is skipped with a warning (its content lives in another repository).
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import type { ObjectStore } from '../repo/objectStore.js';
import { entryNameProblem, parseTree } from './treeObject.js';

/** One file to deploy. */
export interface TreeFile {
  /** `/`-separated path relative to the site root, no leading slash. */
  readonly path: string;
  /** The blob id. */
  readonly oid: string;
  readonly mode: 'file' | 'executable';
}

/** Limits on the shape of a deployed tree. */
export interface TreeLimits {
  /** Most files in one release. */
  readonly maxFiles: number;
  /** Longest path in bytes (UTF-8). */
  readonly maxPathBytes: number;
}

/** Lists a tree's files, depth first, in git's order. `warn` receives one line per skipped entry. */
export async function listTreeFiles(store: ObjectStore, rootTree: string, limits: TreeLimits, warn: (line: string) => void): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  const pending: { oid: string; prefix: string }[] = [{ oid: rootTree, prefix: '' }];
  let trees = 0;
  for (let tree = pending.pop(); tree !== undefined; tree = pending.pop()) {
    // Subtrees can be shared, so a small pack can describe a huge tree: bound the walk itself.
    if (++trees > limits.maxFiles) throw badTree(`the tree has more than ${limits.maxFiles} directories (maxFiles)`);
    const entries = parseTree(tree.oid, await store.readTyped(tree.oid, 'tree'));
    const names = new Set<string>();
    const subtrees: { oid: string; prefix: string }[] = [];
    for (const entry of entries) {
      const shown = JSON.stringify(`${tree.prefix}${entry.name}`);
      const problem = entryNameProblem(entry.name);
      if (problem) throw badTree(`${shown} has ${problem}; such entries are never deployed — rename or remove it`);
      if (names.has(entry.name)) throw badTree(`${shown} appears twice in one tree`);
      names.add(entry.name);
      const path = `${tree.prefix}${entry.name}`;
      if (Buffer.byteLength(path) > limits.maxPathBytes) throw badTree(`${shown} is longer than ${limits.maxPathBytes} bytes`);
      switch (entry.kind) {
        case 'tree':
          subtrees.push({ oid: entry.oid, prefix: `${path}/` });
          break;
        case 'symlink':
          throw badTree(`${shown} is a symlink; symlinks are never followed nor deployed — replace it with the file it points to`);
        case 'submodule':
          warn(`warning: submodule ${shown} is skipped (submodules are not deployed)`);
          break;
        default:
          files.push({ path, oid: entry.oid, mode: entry.kind });
          if (files.length > limits.maxFiles) throw badTree(`the tree has more than ${limits.maxFiles} files (maxFiles)`);
      }
    }
    // Reverse, so the stack pops subtrees in the tree's own order.
    pending.push(...subtrees.reverse());
  }
  return files;
}

function badTree(message: string): HearthError {
  return new HearthError('HEARTH_ERR_GIT_BAD_TREE', message);
}
