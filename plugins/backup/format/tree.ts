/**
 * Trees: the files of one source (a plugin's state, a configured path, a command's output) as a
 * flat list of nodes in path order, stored as one blob (compressed, sealed JSON). A tree that did
 * not change has the same id as last time and is stored once.
 *
 * A restore writes a node at `<target>/<path>`, so every path is checked before anything is
 * written: relative, no `.`/`..`/empty segments, no NUL, and never below a symlink of the same
 * tree (writing through a restored link could land anywhere).
 */
import { HearthError } from '../../../core/errors/HearthError.js';

/** One file, directory or symlink. */
export interface TreeNode {
  /** `/`-separated, relative to the source's root. */
  readonly path: string;
  readonly type: 'dir' | 'file' | 'symlink';
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  /** Modification time in nanoseconds since the epoch, as a decimal string (exceeds 2^53). */
  readonly mtimeNs: string;
  /** Files: the length in bytes. */
  readonly size?: number;
  /** Files: the ids (hex) of the chunks, in order. */
  readonly chunks?: readonly string[];
  /** Symlinks: where the link points, as read. */
  readonly target?: string;
  /** Files: inode and change time, only to notice unchanged files on the next run. */
  readonly ino?: string;
  readonly ctimeNs?: string;
}

const HEX_ID = /^[0-9a-f]{64}$/;
const NANOS = /^\d{1,25}$/;
/** Linux PATH_MAX: no longer path can be restored anyway. */
const MAX_PATH_BYTES = 4096;

/** Throws HEARTH_ERR_BACKUP_UNSAFE_PATH unless `path` stays inside whatever it is joined to. */
export function checkSafePath(path: string): void {
  const bad =
    path.length === 0 || Buffer.byteLength(path) > MAX_PATH_BYTES || path.includes('\0') || path.startsWith('/') ||
    path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) {
    throw new HearthError('HEARTH_ERR_BACKUP_UNSAFE_PATH', `snapshot entry '${path.slice(0, 200)}' would escape its restore target; the snapshot was tampered with or written by a broken client — restore another snapshot`);
  }
}

/** Checks every node's path, that no path repeats, and that none lies below a symlink of the tree. */
export function checkTreePaths(nodes: readonly TreeNode[]): void {
  const seen = new Set<string>();
  const links = new Set<string>();
  for (const node of nodes) {
    checkSafePath(node.path);
    if (seen.has(node.path)) throw new HearthError('HEARTH_ERR_BACKUP_UNSAFE_PATH', `snapshot entry '${node.path}' appears twice; restore another snapshot`);
    seen.add(node.path);
    if (node.type === 'symlink') links.add(node.path);
  }
  if (links.size === 0) return;
  for (const node of nodes) {
    for (let at = node.path.indexOf('/'); at !== -1; at = node.path.indexOf('/', at + 1)) {
      if (links.has(node.path.slice(0, at))) {
        throw new HearthError('HEARTH_ERR_BACKUP_UNSAFE_PATH', `snapshot entry '${node.path}' lies below the symlink '${node.path.slice(0, at)}', so restoring it would write through the link; restore another snapshot`);
      }
    }
  }
}

/** Serialises nodes as a tree blob's plaintext. */
export function encodeTree(nodes: readonly TreeNode[]): Buffer {
  return Buffer.from(JSON.stringify({ version: 1, nodes }));
}

function checkNode(raw: unknown): TreeNode {
  const node = raw as Partial<TreeNode>;
  const common =
    typeof node.path === 'string' && (node.type === 'dir' || node.type === 'file' || node.type === 'symlink') &&
    typeof node.mode === 'number' && Number.isInteger(node.mode) && node.mode >= 0 && node.mode <= 0o7777 &&
    typeof node.mtimeNs === 'string' && NANOS.test(node.mtimeNs);
  const file =
    node.type !== 'file' ||
    (typeof node.size === 'number' && Number.isSafeInteger(node.size) && node.size >= 0 &&
      Array.isArray(node.chunks) && node.chunks.every((id) => typeof id === 'string' && HEX_ID.test(id)));
  const link = node.type !== 'symlink' || (typeof node.target === 'string' && node.target.length > 0 && !node.target.includes('\0'));
  if (!common || !file || !link) throw new TypeError(`tree node ${JSON.stringify(raw).slice(0, 160)} is malformed`);
  return node as TreeNode;
}

/** Parses and checks a tree blob's plaintext (fields and paths). */
export function decodeTree(plain: Buffer): TreeNode[] {
  const value = JSON.parse(plain.toString('utf8')) as { version?: unknown; nodes?: unknown };
  if (value.version !== 1 || !Array.isArray(value.nodes)) throw new TypeError(`tree version ${String(value.version)} is not 1`);
  const nodes = value.nodes.map(checkNode);
  checkTreePaths(nodes);
  return nodes;
}
