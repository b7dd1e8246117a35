/**
 * Schema validation for the host file, with every problem collected. Each schema's validator is
 * the build's (precompiledValidators.ts) or, failing that, compiled once by one Ajv instance. Two
 * keywords (schemaKeywords.ts) act on the data while it is checked: `hearthSecret` wraps a string
 * in a {@link Secret}, and `hearthPort` adds the stage's port offset and records the port for
 * `hearth check`.
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { Secret } from './secret.js';
import { describeSchemaError } from './schemaMessages.js';
import { createValidatorAjv, type KeywordRun } from './schemaKeywords.js';
import { precompiledValidator } from './precompiledValidators.js';

/** A path into the YAML document: map keys and list indexes. */
export type YamlPath = readonly (string | number)[];

/** One schema problem at a path. */
export interface SchemaProblem {
  readonly path: YamlPath;
  readonly message: string;
}

/** A port found while validating. */
export interface FoundPort {
  readonly path: YamlPath;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

// The keywords only record where they matched; values are changed after validation so no other
// keyword ever sees a changed value.
// Schemas compiled here (those the build did not precompile) run once per load, so compiling fast
// matters more than validating fast: skipping Ajv's code optimisation saves ~30 ms a services host.
let ajv: Ajv | undefined;

function replaceAt(root: unknown, path: readonly (string | number)[], change: (value: unknown) => unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = change(node[last]);
}

const compiled = new WeakMap<TSchema, ValidateFunction>();

function compile(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = precompiledValidator(schema) ?? (ajv ??= createValidatorAjv({ optimize: false })).compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** What {@link validateAt} found. */
export interface ValidationResult {
  readonly problems: readonly SchemaProblem[];
  readonly ports: readonly FoundPort[];
}

/**
 * Validates `data` (in place: defaults are filled in, secrets wrapped, ports offset) against
 * `schema`, reporting problems with paths prefixed by `basePath`.
 */
export function validateAt(
  schema: TSchema,
  data: unknown,
  basePath: YamlPath,
  portOffset = 0,
  fromEnvironment: (path: YamlPath) => boolean = () => false,
): ValidationResult {
  const validate = compile(schema);
  let run = runOnce(validate, data);
  // `port: ${PORT}` arrives as a string; read it as the number or boolean the schema wants.
  let coerced = false;
  for (const error of validate.errors ?? []) {
    if (error.keyword !== 'type' || typeof error.data !== 'string') continue;
    const path = pathOf(error.instancePath);
    if (!fromEnvironment([...basePath, ...path])) continue;
    const value = readScalar(error.data, String((error.params as { type: unknown }).type));
    if (value === undefined) continue;
    replaceAt(data, path, () => value);
    coerced = true;
  }
  if (coerced) run = runOnce(validate, data);
  const problems = toProblems(validate.errors ?? [], basePath);
  const ports: FoundPort[] = [];
  for (const pointer of run.secrets) replaceAt(data, pathOf(pointer), (value) => new Secret(value as string));
  for (const { path: pointer, protocol } of run.ports) {
    const path = pathOf(pointer);
    const fullPath = [...basePath, ...path];
    replaceAt(data, path, (value) => {
      const configured = value as number;
      const port = configured === 0 ? 0 : configured + portOffset;
      if (port > 65535) {
        problems.push({
          path: fullPath,
          message: `port ${configured} plus the stage's portOffset ${portOffset} is ${port}, above 65535; lower the port or the portOffset`,
        });
        return configured;
      }
      ports.push({ path: fullPath, port, protocol });
      return port;
    });
  }
  return { problems, ports };
}

function runOnce(validate: ValidateFunction, data: unknown): KeywordRun {
  const run: KeywordRun = { secrets: [], ports: [] };
  validate.call(run, data);
  return run;
}

/** A string from the environment read as `type`, when it is written the way YAML would write it. */
function readScalar(text: string, type: string): number | boolean | undefined {
  if ((type === 'integer' || type === 'number') && /^-?(0|[1-9]\d*)$/.test(text)) return Number(text);
  if (type === 'number' && /^-?(0|[1-9]\d*)\.\d+$/.test(text)) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return undefined;
}

function toProblems(errors: readonly ErrorObject[], basePath: YamlPath): SchemaProblem[] {
  // A failed anyOf reports each branch too; the anyOf's own message says it better.
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && unionPaths.has(error.instancePath)) continue;
    const described = describeSchemaError(error);
    const path = [...basePath, ...pathOf(error.instancePath), ...described.extraPath];
    const key = `${path.join('.')}\u0000${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, message: described.message });
  }
  return problems;
}
