/**
 * Validators compiled at build time. Compiling the core's and the built-in plugins' schemas took a
 * services host ~150 ms at every start; `npm run build` compiles them once, with the same Ajv
 * set-up (schemaKeywords.ts), into dist/core/config/schemaValidators.cjs, keyed by each schema's
 * JSON. A schema not found there (a plugin loaded from a path or a package, a schema changed since
 * the build, any run from source) is compiled at start as before.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';

/** The generated file, beside this module's built copy. */
export const PRECOMPILED_FILE = 'schemaValidators.cjs';

/** The export name of a schema's validator: a digest of what Ajv reads of it. */
export function schemaKey(schema: TSchema): string {
  return `v${createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 32)}`;
}

let loaded: Readonly<Record<string, ValidateFunction>> | undefined;

function precompiled(): Readonly<Record<string, ValidateFunction>> {
  if (!loaded) {
    try {
      // `../config/` holds whether this code sits in dist/core/config/ or in a chunk in dist/core/chunks/.
      loaded = createRequire(import.meta.url)(`../config/${PRECOMPILED_FILE}`) as Record<string, ValidateFunction>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      loaded = {};
    }
  }
  return loaded;
}

/** The build-time validator of `schema`, if the build compiled this very schema. */
export function precompiledValidator(schema: TSchema): ValidateFunction | undefined {
  return precompiled()[schemaKey(schema)];
}
