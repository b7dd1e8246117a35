/**
 * Which ref names a push may create or move: branches and tags whose names follow
 * `git check-ref-format`. Anything else (HEAD, notes, remote-tracking refs, odd spellings) is
 * refused, so the repository only ever holds refs that git itself would accept.
 */

/** The object id of "no object": old id of a created ref, new id of a deleted one. */
export const ZERO_OID = '0'.repeat(40);

const OID = /^[0-9a-f]{40}$/;

/** True for a full lower-case SHA-1 object id. */
export function isOid(value: string): boolean {
  return OID.test(value);
}

/** Why a ref name is refused, or `undefined` when a push may use it. */
export function refNameProblem(name: string): string | undefined {
  if (!name.startsWith('refs/heads/') && !name.startsWith('refs/tags/')) {
    return 'only branches (refs/heads/...) and tags (refs/tags/...) can be pushed';
  }
  if (name.length > 255) return 'ref names are at most 255 characters';
  // The rules of `git check-ref-format`, plus a refusal of non-ASCII to keep names portable.
  if (/[\x00-\x20\x7f-\uffff~^:?*[\\]/.test(name)) return 'ref names cannot contain spaces, control characters, non-ASCII or any of ~ ^ : ? * [ \\';
  if (name.includes('..')) return "ref names cannot contain '..'";
  if (name.includes('@{')) return "ref names cannot contain '@{'";
  if (name.endsWith('/') || name.endsWith('.')) return "ref names cannot end with '/' or '.'";
  for (const component of name.split('/')) {
    if (component === '') return "ref names cannot contain '//'";
    if (component.startsWith('.')) return "no part of a ref name can start with '.'";
    if (component.endsWith('.lock')) return "no part of a ref name can end with '.lock'";
  }
  if (name === 'refs/heads/' || name === 'refs/tags/') return 'the ref name is empty';
  return undefined;
}
