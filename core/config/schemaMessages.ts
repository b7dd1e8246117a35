/**
 * Turns Ajv's errors into sentences a self-hoster can act on: they quote the bad value, name what
 * was expected, and suggest the closest known key or value for a typo.
 */
import type { ErrorObject } from 'ajv';
import { suggest } from './suggest.js';
import { REDACTED } from './secret.js';

/** A readable message, and any path segment to add (the unknown or missing key itself). */
export interface DescribedError {
  readonly message: string;
  readonly extraPath: readonly (string | number)[];
}

/** Shows a value the way the user wrote it, shortened. */
export function quote(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

/** What kind of value was written; a secret's value itself is left out. */
function typeName(value: unknown, secret: boolean): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (secret) return typeof value === 'number' ? 'a number' : `a ${typeof value}`;
  if (typeof value === 'number' && Number.isInteger(value)) return `the number ${value}`;
  return `${typeof value} ${quote(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
};

/**
 * Describes one Ajv error. A value the schema marks secret (`hearthSecret`, see SecretString) is
 * never quoted, whatever is wrong with it: a password written as a number is still the password.
 */
export function describeSchemaError(error: ErrorObject): DescribedError {
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema as Record<string, unknown> | undefined;
  const description = typeof schema?.description === 'string' ? ` (${schema.description})` : '';
  const secret = schema?.hearthSecret === true;
  const shown = (value: unknown): string => (secret ? REDACTED : quote(value));
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      if (schema?.patternProperties) {
        // A NamedMap's key that is not a name: say what names look like there.
        const rule = typeof schema.hearthNames === 'string' ? schema.hearthNames : `names must match ${Object.keys(schema.patternProperties).join(' or ')}`;
        return { extraPath: [key], message: `${quote(key)} is not a valid name here: ${rule}` };
      }
      const known = Object.keys((schema?.properties as object | undefined) ?? {});
      const hint = suggest(key, known);
      const list = known.length > 0 ? `; known keys: ${known.join(', ')}` : '';
      return { extraPath: [key], message: `unknown key ${quote(key)}${hint ? `; did you mean '${hint}'?` : list}` };
    }
    case 'required':
      return { extraPath: [String(params.missingProperty)], message: `missing required key '${String(params.missingProperty)}'` };
    case 'type':
      return { extraPath: [], message: `must be ${TYPE_WORDS[String(params.type)] ?? String(params.type)}, got ${typeName(error.data, secret)}` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof error.data === 'string' && !secret ? suggest(error.data, allowed) : undefined;
      return {
        extraPath: [],
        message: `${shown(error.data)} is not one of: ${allowed.join(', ')}${hint ? `; did you mean '${hint}'?` : ''}`,
      };
    }
    case 'const':
      return { extraPath: [], message: `must be ${quote(params.allowedValue)}, got ${shown(error.data)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { extraPath: [], message: `${shown(error.data)} is out of range: must be ${String(params.comparison)} ${String(params.limit)}` };
    case 'pattern':
      return { extraPath: [], message: `${shown(error.data)} is not valid here${description || `: must match ${String(params.pattern)}`}` };
    case 'minLength': {
      const limit = Number(params.limit);
      const atLeast = `at least ${limit} character${limit === 1 ? '' : 's'}`;
      if (error.data === '') return { extraPath: [], message: `must not be empty${limit > 1 ? `: ${atLeast}` : ''}${description}` };
      return { extraPath: [], message: `${shown(error.data)} is too short: ${atLeast}${description}` };
    }
    case 'maxLength':
      return { extraPath: [], message: `${shown(error.data)} is too long: at most ${String(params.limit)} characters` };
    case 'minItems':
      return { extraPath: [], message: `needs at least ${String(params.limit)} item(s)` };
    case 'maxItems':
      return { extraPath: [], message: `has more than ${String(params.limit)} items` };
    case 'uniqueItems': {
      // Ajv names the two places in either order; point at the later one, the repeat.
      const [first, repeat] = [Number(params.i), Number(params.j)].sort((a, b) => a - b) as [number, number];
      const item = Array.isArray(error.data) ? (error.data as unknown[])[repeat] : undefined;
      const secretItems = (schema?.items as Record<string, unknown> | undefined)?.hearthSecret === true;
      return { extraPath: [repeat], message: `${secretItems ? 'an item' : quote(item)} is listed twice (items ${first} and ${repeat}); keep one` };
    }
    case 'minProperties':
      return { extraPath: [], message: `needs at least ${String(params.limit)} entry` };
    case 'anyOf':
      return { extraPath: [], message: `${shown(error.data)} is not valid here${description}` };
    default:
      return { extraPath: [], message: `${error.message ?? 'is invalid'}${description}` };
  }
}
