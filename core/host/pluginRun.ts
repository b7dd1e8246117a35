/**
 * One plugin as a running host holds it: its scope of the container, the instance its setup
 * returned, its clean-ups and how far it got. The host drives these through the lifecycle.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { asValue, type AwilixContainer } from 'awilix';
import type { Logger } from 'pino';
import type { HearthConfig, HostConfig, PluginEntry } from '../config/types.js';
import type { PluginInstance, ServiceName, SetupContext } from '../plugin/definition.js';
import type { HearthServices } from '../plugin/services.js';
import type { StageContext } from '../stage/stageContext.js';
import { HearthError } from '../errors/HearthError.js';
import { pluginSites } from '../plugin/configProblems.js';
import type { HostCradle } from './container.js';

/** How far a plugin got. */
export type PluginState = 'new' | 'set up' | 'started' | 'stopped' | 'failed';

/** What a plugin's setup needs from its host. */
export interface PluginRunHost {
  readonly file: HearthConfig;
  readonly config: HostConfig;
  readonly stage: StageContext;
  readonly logger: Logger;
  readonly container: AwilixContainer<HostCradle>;
}

/** A plugin in a host. */
export class PluginRun {
  state: PluginState = 'new';
  instance: PluginInstance = {};
  readonly #cleanups: (() => void | Promise<void>)[] = [];
  readonly entry: PluginEntry;

  constructor(entry: PluginEntry) {
    this.entry = entry;
  }

  get id(): string {
    return this.entry.id;
  }

  /** Runs the plugin's setup with its context; registers what it provides. */
  async setup(host: PluginRunHost): Promise<void> {
    const { definition } = this.entry;
    const dataDir = join(host.config.dataDir, definition.id);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const scope = host.container.createScope();
    const services: Partial<HearthServices> = {};
    const assign = (name: ServiceName): void => {
      (services as Record<string, unknown>)[name] = scope.resolve(name);
    };
    for (const name of definition.needs ?? []) assign(name);
    for (const name of definition.wants ?? []) if (scope.hasRegistration(name)) assign(name);
    const declared = new Set<string>(definition.provides ?? []);
    const provided = new Set<string>();
    const sites = pluginSites(host.file, definition.id);
    const context: SetupContext<unknown, ServiceName, ServiceName> = {
      config: this.entry.config,
      sites,
      hostName: host.config.name,
      host: host.config,
      file: host.file,
      stage: host.stage,
      dataDir,
      logger: host.logger.child({ plugin: definition.id }),
      services: services as SetupContext<unknown, ServiceName, ServiceName>['services'],
      provide: (name, service) => {
        if (!declared.has(name)) {
          throw new HearthError('HEARTH_ERR_PLUGIN_SERVICE', `plugin '${definition.id}' provides '${name}' but does not list it in 'provides'`);
        }
        host.container.register(name, asValue(service));
        provided.add(name);
      },
      onClose: (cleanup) => void this.#cleanups.push(cleanup),
    };
    this.instance = (await definition.setup(context)) ?? {};
    const missing = [...declared].filter((name) => !provided.has(name));
    if (missing.length > 0) {
      throw new HearthError('HEARTH_ERR_PLUGIN_SERVICE', `plugin '${definition.id}' declares it provides ${missing.map((m) => `'${m}'`).join(', ')} but its setup did not call provide()`);
    }
    this.state = 'set up';
  }

  /** Starts the plugin. */
  async start(): Promise<void> {
    await this.instance.start?.();
    this.state = 'started';
  }

  /** Stops the plugin if it started, then runs its clean-ups (newest first). Returns the failures. */
  async close(): Promise<unknown[]> {
    const failures: unknown[] = [];
    if (this.state === 'started') {
      try {
        await this.instance.stop?.();
      } catch (error) {
        failures.push(new HearthError('HEARTH_ERR_HOST_STOP', `plugin '${this.id}' failed to stop`, { cause: error }));
      }
    }
    while (this.#cleanups.length > 0) {
      const cleanup = this.#cleanups.pop()!;
      try {
        await cleanup();
      } catch (error) {
        failures.push(new HearthError('HEARTH_ERR_HOST_STOP', `plugin '${this.id}' failed to clean up`, { cause: error }));
      }
    }
    if (this.state !== 'failed') this.state = 'stopped';
    return failures;
  }
}
