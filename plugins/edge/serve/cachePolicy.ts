/**
 * Which Cache-Control a file is served with. In order, the first that gives a value wins:
 * 1. the site's `sites.<site>.edge.cacheControl` rules;
 * 2. the plugin's `cacheControl` rules (every site);
 * 3. assets whose name carries a content hash (`app.3f2a9c1d.js`, `index-BkTj3x9Q.css`) are
 *    immutable for a year (`immutableHashedAssets`);
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
/** A name part of 8+ characters, after `.` or `-`, right before the extension. */
const HASH_PART = /[.-]([A-Za-z0-9_]{8,64})\.([a-z0-9]+)$/;

/**
 * True for a file name that carries a content hash: the part is hex with a digit, or mixes letters
 * with digits or both cases (bundlers' base64url hashes). Plain words (`-overview.`) do not count.
 */
export function hasContentHash(name: string): boolean {
  const match = HASH_PART.exec(name);
  if (match === null || !HASHABLE_EXTENSIONS.has(match[2]!)) return false;
  const part = match[1]!;
  const digits = /\d/.test(part);
  const lower = /[a-z]/.test(part);
  const upper = /[A-Z]/.test(part);
  if (/^[0-9a-f]+$/.test(part)) return digits && lower;
  return (digits && (lower || upper)) || (lower && upper);
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
