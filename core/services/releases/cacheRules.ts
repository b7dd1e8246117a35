/**
 * Cache-Control per deployed file, shared by the writer (git stores a value with each file) and
 * the reader (the edge's own rules come first), from an ordered list of `{ match, value }` rules; the first
 * rule whose glob matches the path wins. Globs: `*` and `?` stay within one path segment, `**`
 * crosses segments; a glob without `/` is matched against the file name alone (as in .gitignore).
 */

/** One rule of the host file's `cacheControl` list. */
export interface CacheRule {
  readonly match: string;
  readonly value: string;
}

/** A compiled rule list. */
export type CachePolicy = (path: string) => string | undefined;

/** Compiles rules once; the result maps a path to its Cache-Control, or undefined when no rule matches. */
export function compileCacheRules(rules: readonly CacheRule[]): CachePolicy {
  const compiled = rules.map((rule) => ({ regex: globToRegExp(rule.match), basename: !rule.match.includes('/'), value: rule.value }));
  return function cacheControlFor(path: string): string | undefined {
    const name = path.slice(path.lastIndexOf('/') + 1);
    for (const rule of compiled) {
      if (rule.regex.test(rule.basename ? name : path)) return rule.value;
    }
    return undefined;
  };
}

/** Turns a glob into an anchored regular expression; every other character is literal. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      // `**/` also matches no directory at all, so `**/*.html` matches `index.html`.
      if (glob[index + 2] === '/') {
        source += '(?:.*/)?';
        index += 2;
      } else {
        source += '.*';
        index += 1;
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
