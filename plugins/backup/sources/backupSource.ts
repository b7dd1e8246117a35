/**
 * What a backup run reads: each plugin's declared state, configured paths, and commands whose
 * output is saved. Built from the host's resolved config, so the backup plugin never needs to know
 * the other plugins: each declares its state in its definition (`state.paths` under its data
 * directory, and/or `state.dump`/`state.load` hooks).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { HostConfig } from '../../../core/config/types.js';
import { checkSafePath } from '../format/tree.js';
import type { StateOwner } from '../../../core/plugin/definition.js';

/**
 * A state hook as the backup plugin calls it: after the directory, the plugin's own data directory
 * and config (the core's `StateOwner`), so a hook can find its state even in a `hearth restore`
 * process where the plugin was never set up.
 */
export type StateHook = (dir: string, context: StateOwner) => Promise<void>;

/** A plugin's state: paths under its data directory, and what its dump hook writes. */
export interface PluginSource {
  readonly kind: 'plugin';
  /** The plugin id. */
  readonly name: string;
  /** `<host dataDir>/<plugin id>`. */
  readonly root: string;
  /** Relative to `root`; `.` is all of it. */
  readonly paths: readonly string[];
  /** The plugin's dump hook, bound to its state and context. */
  readonly dump?: (dir: string) => Promise<void>;
}

/** A configured path on the host (a directory or a file). */
export interface PathSource {
  readonly kind: 'path';
  readonly name: string;
  readonly path: string;
}

/** A command whose stdout is saved. */
export interface CommandSource {
  readonly kind: 'command';
  readonly name: string;
  readonly command: string;
  readonly timeoutMs: number;
}

/** One thing a snapshot holds. */
export type BackupSource = PluginSource | PathSource | CommandSource;

/** The plugin-config part that names extra sources. */
export interface ExtraSources {
  readonly paths: readonly { readonly name: string; readonly path: string }[];
  readonly commands: readonly { readonly name: string; readonly run: string; readonly timeoutMs: number }[];
}

/**
 * Checks a plugin's declared paths and drops those inside another one (`.` covers everything), so
 * no file is stored twice in a tree.
 */
export function normalizeStatePaths(pluginId: string, paths: readonly string[]): string[] {
  const cleaned = paths.map((p) => p.replace(/\/+$/, '')).map((p) => (p === '' ? '.' : p));
  for (const path of cleaned) {
    if (path === '.') continue;
    try {
      checkSafePath(path);
    } catch (error) {
      throw new TypeError(`plugin '${pluginId}' declares the state path '${path}', which is not a plain path inside its data directory`, { cause: error });
    }
  }
  if (cleaned.includes('.')) return ['.'];
  const sorted = [...new Set(cleaned)].sort();
  return sorted.filter((path) => !sorted.some((other) => other !== path && path.startsWith(`${other}/`)));
}

/** Every source of one host: each plugin with declared state (in host-file order), then paths, then commands. */
export function hostSources(host: HostConfig, extra: ExtraSources, logger: Logger): BackupSource[] {
  const sources: BackupSource[] = [];
  for (const entry of host.plugins) {
    const state = entry.definition.state;
    if (!state) continue;
    const paths = normalizeStatePaths(entry.id, state.paths ?? ['.']);
    if (paths.length === 0 && !state.dump) continue;
    const root = join(host.dataDir, entry.id);
    const dump = state.dump as StateHook | undefined;
    const context: StateOwner = { dataDir: root, config: entry.config, host, logger: logger.child({ plugin: entry.id }) };
    sources.push({ kind: 'plugin', name: entry.id, root, paths, ...(dump ? { dump: (dir: string) => dump.call(state, dir, context) } : {}) });
  }
  for (const path of extra.paths) sources.push({ kind: 'path', name: path.name, path: path.path });
  for (const command of extra.commands) sources.push({ kind: 'command', name: command.name, command: command.run, timeoutMs: command.timeoutMs });
  return sources;
}
