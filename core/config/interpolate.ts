/**
 * `${VAR}` and `${VAR:-default}` in the host file's string values, so secrets and per-machine
 * values stay out of the file. `$${` writes a literal `${`. A variable that is unset (and has no
 * default) is a problem naming it and where it is used; all of them are collected.
 */
import type { YamlPath } from './validator.js';

/** A variable the file uses but the environment does not set. */
export interface MissingVariable {
  readonly path: YamlPath;
  readonly name: string;
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;

/** Replaces references in one string; returns the names that had no value. */
export function interpolateString(text: string, env: Readonly<Record<string, string | undefined>>): { value: string; missing: string[]; malformed: string[] } {
  const missing: string[] = [];
  const malformed: string[] = [];
  const value = text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined, bad: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      malformed.push(bad ?? match);
      return match;
    }
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return match;
  });
  return { value, missing, malformed };
}

/** Problems found while interpolating, and which values were one whole reference. */
export interface InterpolationProblems {
  readonly missing: MissingVariable[];
  readonly malformed: { readonly path: YamlPath; readonly text: string }[];
  /**
   * Paths whose whole value was one `${VAR}` reference, e.g. `port: ${PORT}`. The environment only
   * has strings; such a value may be read as the number or boolean its schema asks for.
   */
  readonly wholeReferences: Set<string>;
}

const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/** The key {@link InterpolationProblems.wholeReferences} uses for a path. */
export function pathKey(path: YamlPath): string {
  return path.join('\u0000');
}

/**
 * Interpolates every string in a plain JSON-like tree, in place. Map keys are left alone: they
 * name things, and names do not come from the environment.
 */
export function interpolateTree(root: unknown, env: Readonly<Record<string, string | undefined>>): InterpolationProblems {
  const problems: InterpolationProblems = { missing: [], malformed: [], wholeReferences: new Set() };
  const visit = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('$')) return node;
      const result = interpolateString(node, env);
      if (WHOLE_REFERENCE.test(node)) problems.wholeReferences.add(pathKey(path));
      for (const name of result.missing) problems.missing.push({ path, name });
      for (const text of result.malformed) problems.malformed.push({ path, text });
      return result.value;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => (node[index] = visit(item, [...path, index])));
    } else if (node !== null && typeof node === 'object') {
      const map = node as Record<string, unknown>;
      for (const key of Object.keys(map)) map[key] = visit(map[key], [...path, key]);
    }
    return node;
  };
  visit(root, []);
  return problems;
}
