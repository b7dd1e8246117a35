/**
 * Finds the plugin a host file names. The core knows no plugin by name: a reference is a built-in
 * id (a folder of Hearth's plugins/ directory), a relative or absolute path (from the host file's
 * directory), or an npm package name (resolved from the host file's directory, then from Hearth's).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isPluginDefinition, type AnyPluginDefinition } from './definition.js';

/** The folder holding the built-in plugins (plugins/ in the source tree, dist/plugins once built). */
export const BUILTIN_PLUGIN_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url));

/** Why a reference did not resolve. */
export type ResolveFailure =
  | { readonly kind: 'not-found'; readonly detail: string }
  | { readonly kind: 'invalid'; readonly detail: string };

/** The ids of the built-in plugins present in this installation. */
export function builtinPluginIds(): string[] {
  if (!existsSync(BUILTIN_PLUGIN_DIR)) return [];
  return readdirSync(BUILTIN_PLUGIN_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entryFile(join(BUILTIN_PLUGIN_DIR, entry.name)) !== undefined)
    .map((entry) => entry.name)
    .sort();
}

function entryFile(dir: string): string | undefined {
  // index.js once built; index.ts when run from source (tests).
  for (const name of ['index.js', 'index.ts']) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

function isPathReference(ref: string): boolean {
  return ref.startsWith('./') || ref.startsWith('../') || isAbsolute(ref);
}

function locate(ref: string, fileDir: string): string | ResolveFailure {
  if (isPathReference(ref)) {
    const target = resolve(fileDir, ref);
    if (!existsSync(target)) return { kind: 'not-found', detail: `no file at ${target}` };
    if (!statSync(target).isDirectory()) return target;
    return entryFile(target) ?? { kind: 'not-found', detail: `no index.js in ${target}` };
  }
  if (/^[a-z][a-z0-9-]*$/.test(ref)) {
    const builtin = entryFile(join(BUILTIN_PLUGIN_DIR, ref));
    if (builtin) return builtin;
  }
  for (const base of [join(fileDir, 'package.json'), fileURLToPath(import.meta.url)]) {
    try {
      return createRequire(base).resolve(ref);
    } catch {
      // try the next place; the failure is reported once below
    }
  }
  return { kind: 'not-found', detail: `not a built-in plugin, a path, or an installed npm package` };
}

/** Loads the definition a reference names. */
export async function resolvePlugin(ref: string, fileDir: string): Promise<AnyPluginDefinition | ResolveFailure> {
  const file = locate(ref, fileDir);
  if (typeof file !== 'string') return file;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    return { kind: 'invalid', detail: `loading ${file} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const candidates = [module.default, module.plugin, ...Object.values(module)];
  const definition = candidates.find(isPluginDefinition);
  if (!definition) {
    return { kind: 'invalid', detail: `${file} exports no plugin definition (export one made with definePlugin)` };
  }
  return definition;
}

