/**
 * Build time only (scripts/precompileSchemas.mjs): the source of a CommonJS module with one Ajv
 * standalone validator per schema, exported under its {@link schemaKey}, for
 * precompiledValidators.ts to find at start. It lives in the core so it compiles with the very
 * Ajv copy and keywords the CLI validates with.
 */
import standalone from 'ajv/dist/standalone/index.js';
import type { TSchema } from '@sinclair/typebox';
import { createValidatorAjv } from './schemaKeywords.js';
import { schemaKey } from './precompiledValidators.js';

/** The module source validating each of `schemas` (duplicates are compiled once). */
export function standaloneValidators(schemas: readonly TSchema[]): string {
  const ajv = createValidatorAjv({ source: true });
  const exports: Record<string, string> = {};
  for (const schema of schemas) {
    const key = schemaKey(schema);
    if (exports[key]) continue;
    ajv.addSchema(schema, key);
    exports[key] = key;
  }
  // A CommonJS module: its ESM default is module.exports, whose `default` is the function.
  return standalone.default(ajv, exports);
}
