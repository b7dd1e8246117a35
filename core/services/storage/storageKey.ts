/**
 * The key rules every engine enforces before touching a byte. A key is a `/`-separated relative
 * path: no leading `/`, no empty, `.` or `..` segment, no backslash, no NUL or other control
 * character, well-formed Unicode, at most 1024 UTF-8 bytes (S3's own limit). The same key is then
 * a safe relative path on disk and a portable S3 key, so neither engine can be steered outside its
 * directory or prefix.
 */
import { HearthError } from '../../errors/HearthError.js';

/** S3's limit on a key's length, in UTF-8 bytes; the fs engine keeps it so keys stay portable. */
export const MAX_KEY_BYTES = 1024;

/** Longest slice of a bad key quoted in an error message, in characters (keeps logs readable). */
const QUOTED_KEY_CHARS = 80;

// C0 controls, DEL and C1 controls: invisible in logs and meaningful to terminals and filesystems.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// In a `u` regexp a proper surrogate pair is one code point, so only lone halves match.
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `key` breaks the rules, or undefined when it is a valid key. */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `must be a string, not ${typeof key}`;
  if (key.length === 0) return 'must not be empty';
  if (LONE_SURROGATE.test(key)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  if (CONTROL_CHARACTER.test(key)) return 'must not contain NUL or other control characters';
  if (key.includes('\\')) return 'must not contain a backslash; separate segments with /';
  if (key.startsWith('/')) return 'must be relative: drop the leading /';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) return `is ${bytes} UTF-8 bytes long; the limit is ${MAX_KEY_BYTES}`;
  for (const segment of key.split('/')) {
    if (segment === '') return 'must not have an empty segment (a trailing / or //)';
    if (segment === '.' || segment === '..') return `must not have a '${segment}' segment`;
  }
  return undefined;
}

/** Throws HEARTH_ERR_STORAGE_BAD_KEY unless `key` follows the key rules; returns it typed. */
export function assertKey(key: unknown): string {
  const problem = keyProblem(key);
  if (problem !== undefined) {
    throw new HearthError('HEARTH_ERR_STORAGE_BAD_KEY', `storage key ${quoteKey(key)} ${problem}`);
  }
  return key as string;
}

/**
 * Throws HEARTH_ERR_STORAGE_BAD_KEY unless `prefix` can start a valid key. A list or delete prefix
 * may be empty (everything) or end inside a segment (`site/ind` matches `site/index.html`).
 */
export function assertKeyPrefix(prefix: unknown): string {
  if (prefix === '') return prefix;
  // A prefix is valid exactly when some key can start with it; appending one character decides it.
  const problem = typeof prefix === 'string' ? keyProblem(`${prefix}x`) : keyProblem(prefix);
  if (problem !== undefined) {
    throw new HearthError('HEARTH_ERR_STORAGE_BAD_KEY', `storage prefix ${quoteKey(prefix)} cannot start a key: a key ${problem}`);
  }
  return prefix as string;
}

/** Throws HEARTH_ERR_STORAGE_BAD_KEY unless `prefix` names a folder for `scoped()`: a valid key plus a final `/`. */
export function assertScopePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
    throw new HearthError(
      'HEARTH_ERR_STORAGE_BAD_KEY',
      `scope prefix ${quoteKey(prefix)} must end with '/', e.g. 'sites/example.com/'`,
    );
  }
  const problem = keyProblem(prefix.slice(0, -1));
  if (problem !== undefined) {
    throw new HearthError('HEARTH_ERR_STORAGE_BAD_KEY', `scope prefix ${quoteKey(prefix)} is not a folder of valid keys: it ${problem}`);
  }
  return prefix;
}

/**
 * Orders keys as S3 lists them: by Unicode code point, which is the order of their UTF-8 bytes.
 * Plain `<` compares UTF-16 units and puts astral characters before U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.charCodeAt(index);
    const right = b.charCodeAt(index);
    if (left !== right) return codePointRank(left) - codePointRank(right);
  }
  return a.length - b.length;
}

/** Moves surrogates above the rest of the BMP so UTF-16 units sort like code points. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** A key as an error message quotes it: JSON-escaped (control characters visible) and shortened. */
export function quoteKey(key: unknown): string {
  if (typeof key !== 'string') return String(key);
  const shown = key.length > QUOTED_KEY_CHARS ? `${key.slice(0, QUOTED_KEY_CHARS)}…` : key;
  return JSON.stringify(shown);
}
