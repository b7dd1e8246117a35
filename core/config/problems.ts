/**
 * Problems found in a host file. They are collected, never thrown one by one, so a file with
 * five mistakes is fixed in one round; each names the file, line, column and YAML path.
 */
import { relative } from 'node:path';
import { HearthError } from '../errors/HearthError.js';
import type { ErrorCode } from '../errors/catalogue.js';
import type { SourcePosition } from './sourceMap.js';
import type { YamlPath } from './validator.js';

/** One problem in the host file. */
export interface ConfigProblem {
  /** A code of the config area, or a plugin's own (HEARTH_ERR_INTAKE_CONFIG) for what its checkConfig found. */
  readonly code: ErrorCode;
  readonly file: string;
  readonly position: SourcePosition;
  readonly path: YamlPath;
  readonly message: string;
}

/** Renders a YAML path the way people write it: `hosts.services.plugins.git.maxPackBytes`, `tokens.ci.sites[0]`. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : /^[\w-]+$/.test(segment) ? `.${segment}` : `["${segment}"]`;
  }
  return out || '(top level)';
}

/** `file:line:col path: message [CODE]` — one problem per line, as compilers print them. */
export function formatProblem(problem: ConfigProblem, cwd = process.cwd()): string {
  const nearby = relative(cwd, problem.file);
  const file = nearby && !nearby.startsWith('..') ? nearby : problem.file;
  return `${file}:${problem.position.line}:${problem.position.col} ${formatPath(problem.path)}: ${problem.message} [${problem.code}]`;
}

/** The error thrown when a host file has problems; it carries every one of them. */
export class ConfigError extends HearthError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const sorted = [...problems].sort((a, b) => a.position.line - b.position.line || a.position.col - b.position.col);
    const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
    super('HEARTH_ERR_CONFIG_INVALID', `${count} in ${sorted[0]?.file ?? 'the host file'}:\n${sorted.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.problems = sorted;
  }
}
