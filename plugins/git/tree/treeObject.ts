/**
 * A tree object's entries, parsed from raw bytes: `<octal mode> <name>\0<20-byte id>` repeated.
 * Parsing is strict (unknown modes, truncated entries and empty names are errors) but keeps any
 * name bytes as they are: judging names is {@link entryNameProblem}'s job.
 */
import { HearthError } from '../../../core/errors/HearthError.js';

/** What a tree entry is, by its mode. */
export type EntryKind = 'tree' | 'file' | 'executable' | 'symlink' | 'submodule';

/** One tree entry. */
export interface TreeEntry {
  readonly mode: string;
  readonly kind: EntryKind;
  readonly name: string;
  readonly oid: string;
}

const KIND_BY_MODE: Readonly<Record<string, EntryKind>> = {
  '40000': 'tree',
  '040000': 'tree',
  '100644': 'file',
  // Old git wrote group-writable files; git still reads them as regular files.
  '100664': 'file',
  '100755': 'executable',
  '120000': 'symlink',
  '160000': 'submodule',
};

/** Parses a tree's content. Throws HEARTH_ERR_GIT_BAD_OBJECT for a malformed tree. */
export function parseTree(oid: string, content: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let offset = 0;
  while (offset < content.length) {
    const space = content.indexOf(0x20, offset);
    const nul = space < 0 ? -1 : content.indexOf(0x00, space + 1);
    if (space < 0 || nul < 0 || nul + 21 > content.length) {
      throw new HearthError('HEARTH_ERR_GIT_BAD_OBJECT', `tree ${oid} is truncated at byte ${offset}`);
    }
    const mode = content.toString('latin1', offset, space);
    const kind = KIND_BY_MODE[mode];
    if (kind === undefined) {
      throw new HearthError('HEARTH_ERR_GIT_BAD_OBJECT', `tree ${oid} has an entry with unknown mode ${JSON.stringify(mode.slice(0, 10))}`);
    }
    const name = content.toString('utf8', space + 1, nul);
    entries.push({ mode, kind, name, oid: content.toString('hex', nul + 1, nul + 21) });
    offset = nul + 21;
  }
  return entries;
}

/**
 * Why a tree entry's name can never be deployed, or `undefined` when it can. `.git` is refused in
 * any letter case, as git does for file systems that ignore case.
 */
export function entryNameProblem(name: string): string | undefined {
  if (name === '') return 'an empty name';
  if (name === '.' || name === '..') return `the name '${name}'`;
  if (name.toLowerCase() === '.git') return `the name '${name}'`;
  if (name.includes('/')) return "a '/' in its name";
  if (name.includes('\0')) return 'a NUL byte in its name';
  if (name.includes('\uFFFD')) return 'a name that is not valid UTF-8';
  return undefined;
}
