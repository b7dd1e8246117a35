/**
 * `npm run build`: bundles core/ and plugins/ into dist/ with esbuild, so starting a host reads
 * about a hundred files instead of the ~900 (our modules and node_modules') it did file by file.
 *
 * Layout, and why:
 * - Every core module is an entry point at its usual path (dist/core/config/schemaTypes.js, ...),
 *   so a plugin loaded from a path or an npm package that imports `hearth/dist/core/...` gets the
 *   very module instances the CLI runs (one error catalogue, one `Secret` class).
 * - Each built-in plugin's index is an entry point at dist/plugins/<id>/index.js, where
 *   core/plugin/resolvePlugin.ts looks for built-in plugins by id.
 * - Shared code goes to chunks in dist/core/chunks/, as deep as dist/core/<area>/, so a path a core
 *   module computes from import.meta.url (resolvePlugin's `../../plugins/`) holds in whichever file
 *   esbuild put the module.
 * - Dynamic imports stay dynamic (their own chunks), so drivers loaded on first use stay lazy.
 *   Native modules stay in node_modules.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { precompileSchemas } from './precompileSchemas.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = join(root, 'dist');
/** Written last, once the whole build succeeded: dist/ without it is not a build to run. */
const BUILT_MARKER = join(outdir, '.built');
const PRODUCTION_INSTALL = 'npm ci && npm prune --omit=dev';

/**
 * Without esbuild (a dev dependency), as in `npm ci --omit=dev`, whose `prepare` runs this script:
 * a finished build of the current sources is kept (exit 0); anything else is an error that says
 * how to install, since a host cannot run without dist/ (exit 1).
 */
function keepExistingBuild() {
  const missing = `build: esbuild is not installed (it is a dev dependency, which 'npm ci --omit=dev' leaves out)`;
  if (!existsSync(BUILT_MARKER)) {
    console.error(`${missing}, and dist/ holds no finished build, so bin/hearth.js cannot run.\nInstall with the dev dependencies, which builds dist/, then remove them: ${PRODUCTION_INSTALL}`);
    return 1;
  }
  const builtAt = statSync(BUILT_MARKER).mtimeMs;
  const newer = [...sourceFiles('core'), ...sourceFiles('plugins')].filter((file) => statSync(join(root, file)).mtimeMs > builtAt);
  if (newer.length > 0) {
    console.error(`${missing}, and dist/ was built before ${newer.length} source file(s) changed (${newer.slice(0, 3).join(', ')}${newer.length > 3 ? ', ...' : ''}).\nRebuild with the dev dependencies, then remove them: ${PRODUCTION_INSTALL}`);
    return 1;
  }
  console.log(`build: esbuild is not installed; keeping dist/, built ${new Date(builtAt).toISOString()} from these sources`);
  return 0;
}

let build;
try {
  ({ build } = await import('esbuild'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.exit(keepExistingBuild());
}

/**
 * Packages left to Node:
 * - native bindings cannot be bundled (DuckDB);
 * - CommonJS packages loaded on first use with `import()` (isomorphic-git, the ClickHouse client):
 *   bundled, such a package's chunk exports only `default`, since esbuild cannot know a CommonJS
 *   module's names before it runs, so `(await import('isomorphic-git')).indexPack` was undefined.
 *   Node's own loader finds the names (as it does when the sources run), and the check after the
 *   build fails on any other package loaded this way whose chunk lost its names.
 */
const EXTERNAL = ['@duckdb/node-api', 'isomorphic-git', '@clickhouse/client'];

/** Worker scripts, emitted beside the code that starts them (`new URL('./x.js', import.meta.url)`). */
const WORKERS = [{ in: 'plugins/backup/format/codecWorker.ts', out: 'plugins/backup/codecWorker' }];

function sourceFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const pluginIds = readdirSync(join(root, 'plugins'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'plugins', entry.name, 'index.ts')))
  .map((entry) => entry.name);

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [...sourceFiles('core'), ...pluginIds.map((id) => join('plugins', id, 'index.ts')), ...WORKERS],
  outdir,
  outbase: '.',
  entryNames: '[dir]/[name]',
  chunkNames: 'core/chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: EXTERNAL,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  // Bundled CommonJS packages call require() for Node's built-ins; ESM has none of its own.
  banner: { js: "import { createRequire as __hearthRequire } from 'node:module'; const require = __hearthRequire(import.meta.url);" },
});

await precompileSchemas(outdir, pluginIds);

// A file found through import.meta.url must be where the bundled code now looks for it.
const missing = [];
for (const output of Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'))) {
  const code = readFileSync(join(root, output), 'utf8');
  for (const match of code.matchAll(/new URL\("(\.{1,2}\/[^"]+\.c?js)", import\.meta\.url\)/g)) {
    if (!existsSync(join(root, dirname(output), match[1]))) missing.push(`${relative(root, join(root, output))}: ${match[1]}`);
  }
}
if (missing.length > 0) {
  console.error(`build: bundled code looks for files that are not there:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}

// A package loaded with import() and bundled must keep its names: a CommonJS one keeps only
// `default` (see EXTERNAL), and its callers would find undefined where its functions were.
const nameless = Object.entries(result.metafile.outputs)
  .filter(([, output]) => output.entryPoint?.includes('node_modules/') && output.exports.length === 1 && output.exports[0] === 'default')
  .map(([file, output]) => `${file} (from ${output.entryPoint})`);
if (nameless.length > 0) {
  console.error(`build: a package loaded with import() lost its exports in the bundle; add it to EXTERNAL in scripts/build.mjs:\n  ${nameless.join('\n  ')}`);
  process.exit(1);
}

writeFileSync(BUILT_MARKER, `${new Date().toISOString()}\n`);
