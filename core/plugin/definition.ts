/**
 * The plugin contract. A plugin is one folder whose index exports one definition made with
 * {@link definePlugin}. The host reads the definition, validates the plugin's config against its
 * schema, resolves the services it needs, then drives it through
 * setup (provision) -> validate -> start -> stop.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Command } from 'commander';
import type { HearthServices } from './services.js';
import type { HostConfig, HearthConfig } from '../config/types.js';
import type { StageContext } from '../stage/stageContext.js';
import type { ErrorEntry, ErrorCode } from '../errors/catalogue.js';

/** Names of the services a plugin can need or provide. */
export type ServiceName = keyof HearthServices & string;

/**
 * What a plugin's {@link PluginDefinition.checkConfig} gets: its config and the file around it,
 * and nothing that opens, listens or writes. `hearth check` gives it for every plugin of every
 * host; `hearth start` for the hosts it starts, before any of them sets up.
 */
export interface ConfigCheckContext<Config> {
  /** The plugin's validated, defaulted, deep-frozen config from `hosts.<host>.plugins.<ref>`. */
  readonly config: Config;
  /** The plugin's per-site config (`sites.<site>.<id>`), validated against `siteSchema`. */
  readonly sites: ReadonlyMap<string, unknown>;
  /** The name of the host the plugin is configured on (at setup: the host this process runs as). */
  readonly hostName: string;
  /** The host's resolved config. */
  readonly host: HostConfig;
  /** The whole resolved host file (every host, site and token), for plugins that look across hosts. */
  readonly file: HearthConfig;
  /** The stage this host runs under, and its helpers for isolated names. */
  readonly stage: StageContext;
}

/** What a plugin gets while it sets itself up: what its config check gets, and its services. Nothing listens yet. */
export interface SetupContext<Config, Needs extends ServiceName, Wants extends ServiceName> extends ConfigCheckContext<Config> {
  /** A directory that belongs to this plugin alone: `<host dataDir>/<plugin id>`, created on setup. */
  readonly dataDir: string;
  /** A child of the host logger with `plugin: <id>`. */
  readonly logger: Logger;
  /** The services named in `needs` (always present) and `wants` (present when some plugin provides them). */
  readonly services: Pick<HearthServices, Needs> & Partial<Pick<HearthServices, Wants>>;
  /** Registers a service named in `provides` for the plugins set up after this one. */
  provide<K extends ServiceName>(name: K, service: HearthServices[K]): void;
  /**
   * Registers a clean-up to run when the host stops, even if this plugin never started (or its setup
   * failed half-way). Clean-ups run in reverse order, after `stop`.
   */
  onClose(cleanup: () => void | Promise<void>): void;
}

/**
 * One problem a plugin finds in its config. `hearth check` prints it at the file position of
 * `path`, which is read inside the plugin's config (`['allow', 0]` is
 * `hosts.<host>.plugins.<ref>.allow[0]`) or, when `site` is given, inside `sites.<site>.<id>`.
 */
export interface PluginConfigProblem {
  /** The plugin's own code, e.g. HEARTH_ERR_INTAKE_CONFIG. */
  readonly code: ErrorCode;
  /** What is wrong and how to fix it. The path is printed before it: do not repeat it. */
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly site?: string;
}

/** What a plugin's setup returns: the parts of its lifecycle it takes part in. */
export interface PluginInstance {
  /** Fastify routes, registered encapsulated under `/<id>/`. */
  routes?(app: FastifyInstance): void | Promise<void>;
  /** Checks that need every plugin provisioned; throw to stop the host before anything starts. */
  validate?(): void | Promise<void>;
  /** Starts listening, timers, workers. */
  start?(): void | Promise<void>;
  /** Flushes and closes what `start` opened. Called at most once, only after `start` succeeded. */
  stop?(): void | Promise<void>;
}

/** Where a plugin's state lives, handed to its dump and load hooks. */
export interface StateOwner {
  /** The plugin's data directory on the host (`<host dataDir>/<plugin id>`). */
  readonly dataDir: string;
  /** The plugin's validated config on the host. */
  readonly config: unknown;
  /** The host's resolved config: its data directory, storage and analytics store. */
  readonly host: HostConfig;
  /** Where the hook logs (the storage or store it opens logs here too). */
  readonly logger: Logger;
  /**
   * On a load during an in-place restore: where that restore keeps the plugin's replaced state
   * (`<host dataDir>/.pre-restore/<time>/<plugin>`), so a hook that replaces state outside the
   * plugin's directory (the git plugin's releases in storage) keeps it with the rest.
   */
  readonly previousDir?: string;
}

/** State a plugin owns, so the backup plugin can snapshot and restore it without knowing the plugin. */
export interface OwnedState {
  /** Directories under the plugin's dataDir (relative to it) that hold its state. Default: all of it. */
  readonly paths?: readonly string[];
  /**
   * Writes a consistent copy of state that cannot be copied as files while running (e.g. a
   * database). It may run in another process than the host (`hearth backup run`), so it gets the
   * plugin's data directory and config rather than relying on a running instance. It runs before
   * `paths` are copied, so what it records is never newer than the copied files.
   */
  dump?(targetDir: string, plugin: StateOwner): Promise<void>;
  /** Loads what `dump` wrote, with the plugin stopped, after `paths` were restored. */
  load?(sourceDir: string, plugin: StateOwner): Promise<void>;
}

/** Core services opened for one host outside the running host process (for CLI commands). */
export interface OfflineServices {
  readonly config: HearthConfig;
  readonly host: HostConfig;
  readonly stage: StageContext;
  readonly logger: Logger;
  readonly services: Pick<HearthServices, 'storage' | 'clock' | 'tokens'>;
  /** The directory a plugin owns on this host (`<host dataDir>/<plugin id>`); not created. */
  dataDirOf(pluginId: string): string;
  /** Closes what was opened. */
  close(): Promise<void>;
}

/** What a CLI command contributed by a plugin gets when it runs. */
export interface CommandContext {
  /** Loads the host file named by `-f` / HEARTH_FILE under `--stage`, exiting 2 on config errors. */
  loadConfig(): Promise<HearthConfig>;
  /** Loads the file and opens the core services of one host, without starting its plugins. */
  openOffline(hostName: string): Promise<OfflineServices>;
  /** Where normal output goes (stdout). */
  readonly out: NodeJS.WritableStream;
  /** Where diagnostics go (stderr). */
  readonly err: NodeJS.WritableStream;
}

/**
 * Commands a plugin contributes. `group` is `hearth <id>`; `root` is `hearth` itself, for the few
 * commands that read better at the top (`hearth restore`, `hearth alerts`). An action signals
 * failure by throwing (a HearthError's code is printed; exit 1) or by setting `process.exitCode`.
 */
export interface PluginCommand {
  register(cli: { readonly group: Command; readonly root: Command }, context: CommandContext): void;
}

/** What the `hearth stage destroy` command gives a plugin to remove its remote state. */
export interface DestroyContext<Config> {
  readonly config: Config;
  readonly hostName: string;
  readonly stage: StageContext;
  readonly logger: Logger;
}

/** A plugin definition. */
export interface PluginDefinition<
  Schema extends TSchema = TSchema,
  Needs extends ServiceName = ServiceName,
  Wants extends ServiceName = ServiceName,
> {
  /** Lower-case id: its routes live under `/<id>/`, its commands under `hearth <id>`. */
  readonly id: string;
  /** One line shown by `hearth check` and `--help`. */
  readonly description: string;
  /** The schema of `hosts.<host>.plugins.<ref>`; defaults are applied from it. */
  readonly configSchema: Schema;
  /** The schema of `sites.<site>.<id>`, for plugins with per-site settings. */
  readonly siteSchema?: TSchema;
  /** Services that must exist before this plugin sets up. */
  readonly needs?: readonly Needs[];
  /** Services used when present. */
  readonly wants?: readonly Wants[];
  /** Services this plugin registers with `provide` during setup. */
  readonly provides?: readonly ServiceName[];
  /** The state the plugin owns, for backups. */
  readonly state?: OwnedState;
  /** The error codes the plugin can report (declared with `defineErrors`). */
  readonly errors?: Readonly<Record<ErrorCode, ErrorEntry>>;
  /** Commands under `hearth <id>`. */
  readonly commands?: readonly PluginCommand[];
  /**
   * Checks what the schema cannot (CIDRs, cron expressions, references to hosts, sites or
   * receivers, ...) without opening, listening or writing anything, and returns every problem. A
   * plugin that has one checks the same at setup too (share the code), since a host can be
   * started without `hearth check` or `hearth start` (tests, a plugin's own commands).
   */
  checkConfig?(context: ConfigCheckContext<Static<Schema>>): readonly PluginConfigProblem[] | Promise<readonly PluginConfigProblem[]>;
  /** Sets up: registers services and opens resources. Never listens. */
  setup(context: SetupContext<Static<Schema>, Needs, Wants>): PluginInstance | void | Promise<PluginInstance | void>;
  /** Removes the plugin's remote state for a stage (local directories are removed by the host). */
  destroy?(context: DestroyContext<Static<Schema>>): Promise<void>;
}

/** A definition with its type parameters erased, as the loader handles it. */
export type AnyPluginDefinition = PluginDefinition<TSchema, ServiceName, ServiceName>;

const PLUGIN_ID = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Declares a plugin. Checks the definition's shape once, when the module loads, and brands it so
 * the loader can tell a definition from any other export.
 */
export function definePlugin<Schema extends TSchema, Needs extends ServiceName = never, Wants extends ServiceName = never>(
  definition: PluginDefinition<Schema, Needs, Wants>,
): PluginDefinition<Schema, Needs, Wants> {
  if (!PLUGIN_ID.test(definition.id)) {
    throw new TypeError(`plugin id '${definition.id}' must be lower-case letters, digits and '-', starting with a letter`);
  }
  if (typeof definition.setup !== 'function') throw new TypeError(`plugin '${definition.id}' has no setup function`);
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true });
}

/** Marks objects made by {@link definePlugin}. */
export const PLUGIN_BRAND = Symbol.for('hearth.plugin');

/** True for an object made by {@link definePlugin} (in this copy of Hearth or another). */
export function isPluginDefinition(value: unknown): value is AnyPluginDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
