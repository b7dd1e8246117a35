/**
 * Compiles the host-file schemas of the core and of every built-in plugin into one CommonJS module
 * of Ajv standalone validators (dist/core/config/schemaValidators.cjs), read by
 * core/config/precompiledValidators.ts. Runs on the fresh bundle, so the schemas are exactly the
 * objects the CLI will validate with, compiled by the bundle's own Ajv.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const load = (dist, path) => import(pathToFileURL(join(dist, path)).href);

/** Writes the validators of the core's and the built-in plugins' schemas. */
export async function precompileSchemas(dist, pluginIds) {
  const { standaloneValidators } = await load(dist, 'core/config/standaloneValidators.js');
  const { PRECOMPILED_FILE } = await load(dist, 'core/config/precompiledValidators.js');
  const { isPluginDefinition } = await load(dist, 'core/plugin/definition.js');
  const core = await load(dist, 'core/config/schema.js');
  const schemas = [core.stagesSchema, core.fileSchema, core.hostSchema, core.siteCoreSchema];
  for (const id of pluginIds) {
    const definition = Object.values(await load(dist, `plugins/${id}/index.js`)).find(isPluginDefinition);
    if (!definition) throw new Error(`plugins/${id}/index.js exports no plugin definition`);
    schemas.push(definition.configSchema, ...(definition.siteSchema ? [definition.siteSchema] : []));
  }
  writeFileSync(join(dist, 'core/config', PRECOMPILED_FILE), standaloneValidators(schemas));
}
