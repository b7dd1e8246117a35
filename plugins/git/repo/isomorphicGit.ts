/**
 * isomorphic-git, loaded on first use. Only pushes and fetches read objects or index packs, and
 * the library with its inflate code is ~0.5 MB of JavaScript: a host that is only starting (or a
 * CLI command that never touches a repository) should not parse it.
 */
type IsomorphicGit = typeof import('isomorphic-git');

let loading: Promise<IsomorphicGit> | undefined;

/** The isomorphic-git module, imported the first time it is asked for. */
export function isomorphicGit(): Promise<IsomorphicGit> {
  loading ??= import('isomorphic-git');
  return loading;
}
