/**
 * Commands plugins contribute: `hearth <id> ...` groups and the few top-level ones. Built-in
 * plugins are always offered (so `hearth --help` lists them); plugins loaded from paths or npm
 * packages are offered when the host file names them.
 */
import { Command } from 'commander';
import { builtinPluginIds, resolvePlugin, BUILTIN_PLUGIN_DIR } from '../plugin/resolvePlugin.js';
import type { AnyPluginDefinition, CommandContext } from '../plugin/definition.js';
import { loadHostFile } from '../config/loadHostFile.js';
import { loadFor, type CliIO } from './io.js';
import { openOffline } from './offline.js';

/** Loads the definitions of the built-in plugins, plus those the host file names when it loads. */
export async function discoverPlugins(io: CliIO, file: string | undefined): Promise<AnyPluginDefinition[]> {
  const found = new Map<string, AnyPluginDefinition>();
  for (const id of builtinPluginIds()) {
    const definition = await resolvePlugin(id, BUILTIN_PLUGIN_DIR);
    if (!('kind' in definition)) found.set(definition.id, definition);
  }
  try {
    const config = await loadHostFile({ ...(file ? { file } : {}), env: io.env });
    for (const host of Object.values(config.hosts)) for (const plugin of host.plugins) found.set(plugin.id, plugin.definition);
  } catch {
    // No readable host file: built-in commands are still offered; the command reports the file problem.
  }
  return [...found.values()];
}

/**
 * Registers every plugin's commands. The `hearth <id>` group is added only when the plugin puts
 * commands in it: monitoring's are top-level (`hearth alerts`), and an empty `hearth monitoring`
 * did nothing at all.
 */
export function registerPluginCommands(program: Command, io: CliIO, plugins: readonly AnyPluginDefinition[]): void {
  for (const plugin of plugins) {
    if (!plugin.commands || plugin.commands.length === 0) continue;
    // Made apart from the program, so it can be left out; it still takes the program's settings.
    const group = new Command(plugin.id).copyInheritedSettings(program).description(plugin.description);
    group.option('-f, --file <file>', 'host file (default: $HEARTH_FILE, else ./hosts.yaml)').option('--stage <stage>', 'stage (default: production)');
    const context: CommandContext = {
      loadConfig: () => loadFor(group, io),
      openOffline: async (hostName) => openOffline(await loadFor(group, io), hostName),
      out: io.out,
      err: io.err,
    };
    for (const command of plugin.commands) command.register({ group, root: program }, context);
    if (group.commands.length > 0) program.addCommand(group);
  }
}

/** The `-f` given on a raw argument list, if any (commands are registered before parsing). */
export function peekFileOption(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((arg === '-f' || arg === '--file') && argv[i + 1]) return argv[i + 1];
    if (arg.startsWith('--file=')) return arg.slice('--file='.length);
  }
  return undefined;
}

