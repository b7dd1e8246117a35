/**
 * TypeBox helpers for the host file's schemas, core and plugins alike. Two custom keywords carry
 * meaning past validation: `hearthSecret` turns a string into a {@link Secret} and `hearthPort`
 * adds the stage's port offset (see `validator.ts`); a third, `hearthNames`, only words the message
 * for a key that is not a valid name ({@link NamedMap}).
 */
import { Type, type ObjectOptions, type SchemaOptions, type TRecord, type TSchema, type TUnsafe, type TInteger, type TString } from '@sinclair/typebox';
import type { Secret } from './secret.js';

/** A secret string (token, password, key). Validated as a non-empty string, delivered as a {@link Secret}. */
export function SecretString(options: SchemaOptions = {}): TUnsafe<Secret> {
  return Type.Unsafe<Secret>({ type: 'string', minLength: 1, ...options, hearthSecret: true });
}

/**
 * A TCP or UDP port a plugin or host listens on. The stage's port offset is added to it, and
 * `hearth check` lists it and refuses clashes. It is a UDP port when the map holding it has
 * `protocol: udp`, TCP otherwise. 0 asks the system for a free port (tests).
 */
export function Port(options: SchemaOptions = {}): TInteger {
  return Type.Integer({ minimum: 0, maximum: 65535, ...options, hearthPort: true });
}

/** A byte size, as a plain number of bytes. */
export function Bytes(options: SchemaOptions & { minimum?: number; maximum?: number } = {}): TInteger {
  return Type.Integer({ minimum: 0, ...options });
}

/** A duration in milliseconds. */
export function Millis(options: SchemaOptions & { minimum?: number; maximum?: number } = {}): TInteger {
  return Type.Integer({ minimum: 0, ...options });
}

/** One value of a fixed list of strings, with a readable error (`must be one of: a, b`). */
export function OneOf<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** The pattern of a site name (a host name): `example.com`. */
export const SITE_NAME = '^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$';

/** A host name-like site name: `example.com`, `blog.example.org`. */
export function SiteName(options: SchemaOptions = {}): TString {
  return Type.String({ pattern: SITE_NAME, ...options });
}

/**
 * A map whose keys are names (hosts, sites, tokens, header names, ...) matching `pattern`, each
 * mapped to `value`. TypeBox's `Record` checks the pattern in `patternProperties` only, which lets
 * any other key through unchecked; this one refuses such keys, and `names` (e.g. "host names are
 * lower-case letters, digits and '-'") is said in the message for one.
 */
export function NamedMap<V extends TSchema>(pattern: string, names: string, value: V, options: ObjectOptions = {}): TRecord<TString, V> {
  return Type.Record(Type.String({ pattern }), value, { ...options, additionalProperties: false, hearthNames: names });
}
