/**
 * Which Cache-Control a file is served with. In order, the first that gives a value wins:
 * 1. the site's `sites.<site>.edge.cacheControl` rules;
 * 2. the plugin's `cacheControl` rules (every site);
 * 3. assets whose name carries a content hash as bundlers write it (`main.3f2a9c1d.js`,
 *    `index-BkTj3x9Q.css`, `chunk-5FGH7JK2.js`) are immutable for a year (`immutableHashedAssets`);
 * 4. the value the deploy stored with the file (the git plugin's own rules);
 * 5. pages revalidate on every visit (`no-cache`), everything else is cached for an hour.
 * Globs: `*` and `?` stay within a path segment, `**` crosses segments; a glob without `/` is
 * matched against the file name alone.
 */
import type { CacheRule } from '../config.js';
import { compileCacheRules, type CachePolicy as RuleMatcher } from '../../../core/services/releases/cacheRules.js';

/** A year, the longest max-age caches honour; hashed names change whenever their content does. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Pages: always revalidated (cheap with ETags), so a deploy shows at once. */
export const PAGE_DEFAULT = 'no-cache';
/** Other files without a rule: an hour, the usual CDN default. */
export const ASSET_DEFAULT = 'public, max-age=3600';

const HEADER_VALUE = /^[\x20-\x7e]+$/;
const HASHABLE_EXTENSIONS = new Set(['js', 'mjs', 'css', 'map', 'woff', 'woff2', 'ttf', 'otf', 'png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'wasm', 'json']);
/** A file name: its stem, then Create React App's `.chunk` if there, then the extension. */
const FILE_NAME = /^(.*?)(?:\.chunk)?\.([a-z0-9]+)$/;
/** Lower-case hex of 8 to 64, after `.` or `-` or as the whole stem: webpack, Parcel, Next.js, Rails, Hugo. */
const HEX_PART = /(?:^|[.-])([0-9a-f]{8,64})$/;
/** esbuild's 8 characters of base32, after `.` or `-`: `chunk-5FGH7JK2`. */
const BASE32_PART = /[.-]([A-Z2-7]{8})$/;
/** Rollup's (Vite, Astro, SvelteKit) 8 characters of base64url, after `.` or `-`: `index-BkTj3x9Q`. */
const BASE64URL_PART = /[.-]([A-Za-z0-9_-]{8})$/;
/** One case of letters and one run of digits, either way round: `cafe2024`, `DSC23456`. */
const WORD_AND_NUMBER = /^(?:[A-Za-z]+\d+|\d+[A-Za-z]+)$/;
/** Words, capitalised or in capitals, with at most one number among them: `iPhone15`, `Win10Pro`, `Avatar01`. */
const WORDS = /^(?:[a-z]+)?(?:[A-Z][a-z]+|[A-Z]+(?![a-z]))*(?:\d+[a-z]?(?![a-z]))?(?:[A-Z][a-z]+|[A-Z]+(?![a-z]))*$/;

/**
 * True for a file name that carries a content hash, as bundlers write them (see the module
 * comment's item 3). Strict on purpose: a name taken for hashed is cached for a year, so a file
 * replaced under it would not reach visitors, while a hash missed only costs a revalidation after
 * the usual hour. So a part counts only when it cannot be ordinary words and numbers:
 * - hex of 8+ characters with a digit and a letter, not a word then a number (`cafe2024`);
 * - esbuild's base32, the same way (`DSC23456` is a camera's name, `5FGH7JK2` a hash);
 * - Rollup's base64url of exactly 8 characters with a digit, a capital and a lower-case letter,
 *   each piece between `-`/`_` more than words with one number (`BkTj3x9Q`, not `iPhone15`);
 *   about a third of Vite's hashes pass, the rest are served as unhashed files are.
 */
export function hasContentHash(name: string): boolean {
  const match = FILE_NAME.exec(name);
  if (match === null || !HASHABLE_EXTENSIONS.has(match[2]!)) return false;
  const stem = match[1]!;
  const hex = HEX_PART.exec(stem)?.[1];
  if (hex !== undefined && /\d/.test(hex) && /[a-f]/.test(hex) && !WORD_AND_NUMBER.test(hex)) return true;
  const base32 = BASE32_PART.exec(stem)?.[1];
  if (base32 !== undefined && /\d/.test(base32) && /[A-Z]/.test(base32) && !WORD_AND_NUMBER.test(base32)) return true;
  const base64 = BASE64URL_PART.exec(stem)?.[1];
  return base64 !== undefined && /\d/.test(base64) && /[A-Z]/.test(base64) && /[a-z]/.test(base64) && !base64.split(/[-_]/).every((piece) => WORDS.test(piece));
}

/** A site's Cache-Control policy, compiled once. */
export class CachePolicy {
  readonly #ruled: RuleMatcher;
  readonly #hashed: boolean;

  constructor(siteRules: readonly CacheRule[], pluginRules: readonly CacheRule[], immutableHashedAssets: boolean) {
    this.#ruled = compileCacheRules([...siteRules, ...pluginRules]);
    this.#hashed = immutableHashedAssets;
  }

  /** The Cache-Control of the file at `path` (relative), given what its deploy stored and its type. */
  valueFor(path: string, stored: string | undefined, contentType: string): string {
    const ruled = this.#ruled(path);
    if (ruled !== undefined) return ruled;
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (this.#hashed && hasContentHash(name)) return IMMUTABLE;
    // A stored value is used only when it is a valid header value (storage may hold anything).
    if (stored !== undefined && stored.length > 0 && stored.length <= 200 && HEADER_VALUE.test(stored)) return stored;
    return contentType.startsWith('text/html') ? PAGE_DEFAULT : ASSET_DEFAULT;
  }
}
