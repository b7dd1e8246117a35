/**
 * Loads a host file: parse (with positions) -> lay the stage over it -> interpolate `${VAR}` ->
 * check the core schema -> lay `defaults` under each host -> load and check each host's plugins
 * -> cross-checks (sites, ports) -> resolve paths -> deep-freeze -> optionally, the plugins' own
 * config checks. Every problem is collected; if there are any, one {@link ConfigError} lists them
 * all with file:line:column.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { HearthError } from '../errors/HearthError.js';
import './errors.js';
import type { ErrorCode } from '../errors/catalogue.js';
import { ConfigError, type ConfigProblem } from './problems.js';
import { SourceMap } from './sourceMap.js';
import { interpolateTree, pathKey } from './interpolate.js';
import { clonePlain, mergeOver } from './stageMerge.js';
import { fileSchema, stagesSchema } from './schema.js';
import { validateAt, type YamlPath } from './validator.js';
import { suggest } from './suggest.js';
import { DEFAULT_STAGE, type HearthConfig } from './types.js';
import { resolveHosts } from './resolveHosts.js';
import { deepFreeze } from './deepFreeze.js';
import { checkPlugins } from './checkPlugins.js';

/** Top-level keys that may be written with nothing under them. */
const OPTIONAL_SECTIONS = ['defaults', 'sites', 'tokens', 'stages'] as const;

/** Where to load from and under which stage. */
export interface LoadOptions {
  /** The host file; default: $HEARTH_FILE, else ./hosts.yaml. */
  readonly file?: string;
  /** The stage; default `production`. */
  readonly stage?: string;
  /** Variables for `${VAR}`; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Also run the plugins' own config checks (PluginDefinition.checkConfig) and report what they
   * find with the other problems: `true` for every host (`hearth check`), or a function picking
   * hosts of the loaded file (`hearth start` checks the hosts it starts).
   */
  readonly checkPlugins?: boolean | ((config: HearthConfig) => readonly string[]);
}

/** The host file path a command uses when `-f` is not given. */
export function defaultHostFile(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.HEARTH_FILE || 'hosts.yaml';
}

/** Collects problems and places each in the file. */
export class ProblemList {
  readonly problems: ConfigProblem[] = [];
  constructor(
    readonly file: string,
    readonly sourceMap: SourceMap,
    readonly stage: string,
  ) {}

  /** Records a problem at `path`, positioned where the file (or its stage section, or `defaults`) wrote it. */
  add(code: ErrorCode, path: YamlPath, message: string, alsoAt: readonly YamlPath[] = []): void {
    const candidates: YamlPath[] = [];
    if (this.stage !== DEFAULT_STAGE) candidates.push(['stages', this.stage, ...path]);
    candidates.push(path, ...alsoAt);
    const position = this.sourceMap.best(candidates);
    // A mistake in `defaults` shows up again in every host that inherits it: report it once.
    const again = this.problems.some((p) => p.message === message && p.position.line === position.line && p.position.col === position.col);
    if (!again) this.problems.push({ code, file: this.file, position, path, message });
  }
}

/** Loads, checks and resolves a host file. Throws {@link ConfigError} listing every problem. */
export async function loadHostFile(options: LoadOptions = {}): Promise<HearthConfig> {
  const env = options.env ?? process.env;
  const file = resolve(options.file ?? defaultHostFile(env));
  const stage = options.stage ?? DEFAULT_STAGE;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HearthError(
      'HEARTH_ERR_CONFIG_NOT_FOUND',
      `cannot read the host file '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}; pass -f FILE, set HEARTH_FILE, or copy hosts.example.yaml to hosts.yaml`,
      { cause: error },
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems = new ProblemList(file, new SourceMap(doc, lineCounter), stage);
  // The first YAML error is the real one; the parser's later errors are usually its echoes.
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    const sourceLine = text.split('\n')[line - 1] ?? '';
    const hint = /\{[^}]*\$\{/.test(sourceLine) ? "; inside a { } map, quote references: key: \"${VAR}\"" : '';
    const message = (yamlError.message.split('\n')[0] ?? yamlError.message).replace(/ at line \d+, column \d+:?$/, '');
    problems.problems.push({ code: 'HEARTH_ERR_CONFIG_YAML', file, position: { line, col }, path: [], message: `${message}${hint}` });
  }
  if (problems.problems.length > 0) throw new ConfigError(problems.problems);

  const raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add('HEARTH_ERR_CONFIG_SCHEMA', [], 'the host file must be a map with at least a `hosts` key');
    throw new ConfigError(problems.problems);
  }
  const root = raw as Record<string, unknown>;
  // A section with nothing under it but comments (`tokens:` above a commented example) is empty,
  // as a host (`services:`) or a plugin (`git:`) with nothing under it already is.
  for (const key of OPTIONAL_SECTIONS) if (root[key] === null) delete root[key];
  const stages = (root.stages ?? {}) as Record<string, Record<string, unknown>>;
  for (const problem of validateAt(stagesSchema, stages, ['stages']).problems) {
    problems.add('HEARTH_ERR_CONFIG_SCHEMA', problem.path, problem.message);
  }
  let portOffset = 0;
  let merged: Record<string, unknown> = { ...root };
  delete merged.stages;
  if (stage !== DEFAULT_STAGE) {
    const overrides = stages[stage];
    if (overrides === undefined || overrides === null || typeof overrides !== 'object') {
      const hint = suggest(stage, Object.keys(stages));
      const known = Object.keys(stages).length > 0 ? `the file has: ${Object.keys(stages).join(', ')}` : 'the file has no `stages`';
      problems.add('HEARTH_ERR_CONFIG_STAGE_UNKNOWN', ['stages'], `no stage '${stage}' (${hint ? `did you mean '${hint}'?` : known}); add stages.${stage} to the file`);
      throw new ConfigError(problems.problems);
    }
    const { portOffset: offset, ...rest } = overrides;
    portOffset = typeof offset === 'number' ? offset : 0;
    merged = mergeOver(merged, rest) as Record<string, unknown>;
  }

  const interpolation = interpolateTree(merged, env);
  for (const missing of interpolation.missing) {
    problems.add('HEARTH_ERR_CONFIG_ENV_MISSING', missing.path, `environment variable ${missing.name} is not set; export it, or write \${${missing.name}:-default}`);
  }
  for (const bad of interpolation.malformed) {
    problems.add('HEARTH_ERR_CONFIG_ENV_SYNTAX', bad.path, `'${bad.text}' is not a valid reference: write \${NAME} or \${NAME:-default} (NAME: letters, digits, _), or $\${ for a literal`);
  }

  const fromEnvironment = (path: YamlPath): boolean =>
    interpolation.wholeReferences.has(pathKey(path)) ||
    // a host's value may have come from `defaults`
    (path[0] === 'hosts' && interpolation.wholeReferences.has(pathKey(['defaults', ...path.slice(2)])));

  // `defaults` are laid under each host before it is checked, so keep them as written.
  const rawDefaults = clonePlain(merged.defaults ?? {});
  for (const problem of validateAt(fileSchema, merged, [], 0, fromEnvironment).problems) {
    problems.add('HEARTH_ERR_CONFIG_SCHEMA', problem.path, problem.message);
  }
  if (problems.problems.length > 0 && typeof merged.hosts !== 'object') throw new ConfigError(problems.problems);

  const config = deepFreeze(await resolveHosts({ merged, rawDefaults, file, fileDir: dirname(file), stage, portOffset, problems, fromEnvironment }));
  if (options.checkPlugins) await checkPlugins(config, hostsToCheck(config, options.checkPlugins, problems), problems);
  if (problems.problems.length > 0) throw new ConfigError(problems.problems);
  return config;
}

function hostsToCheck(config: HearthConfig, which: true | ((config: HearthConfig) => readonly string[]), problems: ProblemList): readonly string[] {
  if (which === true) return Object.keys(config.hosts);
  try {
    return which(config);
  } catch (error) {
    // Picking hosts of a file with problems may fail for one of them: they come first.
    if (problems.problems.length > 0) throw new ConfigError(problems.problems);
    throw error;
  }
}
