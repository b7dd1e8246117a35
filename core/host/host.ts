/**
 * One host of the host file, running in this process: its container, HTTP server and plugins.
 * Lifecycle: dependencies checked (all problems at once) -> plugins set up in dependency order ->
 * validated -> HTTP listening -> plugins started -> ready. Start is all-or-nothing: if anything
 * fails, whatever was set up or started is stopped in reverse and one error names every failure.
 * `stop()` is idempotent and safe after a half-done start.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger, DestinationStream } from 'pino';
import type { AwilixContainer } from 'awilix';
import type { HearthConfig, HostConfig } from '../config/types.js';
import { HearthError, joinErrors } from '../errors/HearthError.js';
import { planPlugins } from '../plugin/dependencyGraph.js';
import type { PluginInstance } from '../plugin/definition.js';
import { stageContext, type StageContext } from '../stage/stageContext.js';
import { createHostMetrics, type HostMetrics } from '../http/hostMetrics.js';
import { createServer, mountPluginRoutes } from '../http/server.js';
import { createHostContainer, type HostCradle, type ServiceOverrides } from './container.js';
import { createLogger } from './logger.js';
import { PluginRun } from './pluginRun.js';
import './errors.js';

/** Options for {@link Host.create}. */
export interface HostOptions extends ServiceOverrides {
  /** Where log lines go (default stdout). */
  readonly logDestination?: DestinationStream;
}

type HostState = 'created' | 'starting' | 'ready' | 'stopping' | 'stopped';

/** A host process's view of one host. */
export class Host {
  readonly name: string;
  readonly file: HearthConfig;
  readonly config: HostConfig;
  readonly stage: StageContext;
  readonly logger: Logger;
  readonly metrics: HostMetrics;
  readonly container: AwilixContainer<HostCradle>;
  readonly #plugins: PluginRun[];
  readonly #app: FastifyInstance;
  #state: HostState = 'created';
  #listening = false;
  #stopping: Promise<void> | undefined;

  private constructor(file: HearthConfig, config: HostConfig, plugins: PluginRun[], options: HostOptions) {
    this.name = config.name;
    this.file = file;
    this.config = config;
    this.stage = stageContext(file.stage, file.portOffset);
    this.logger = createLogger({ host: config.name, stage: file.stage, level: config.log.level, ...(options.logDestination ? { destination: options.logDestination } : {}) });
    this.metrics = createHostMetrics({ host: config.name, stage: file.stage, dataDir: config.dataDir });
    this.container = createHostContainer(file, config, this.logger, this.metrics.registry, options);
    this.#plugins = plugins;
    this.#app = createServer({
      config,
      logger: this.logger,
      metrics: this.metrics,
      isReady: () => this.#state === 'ready',
      pluginStates: () => Object.fromEntries(this.#plugins.map((p) => [p.id, p.state])),
    });
  }

  /**
   * Prepares a host of a loaded file. Throws HEARTH_ERR_CONFIG_HOST_UNKNOWN for a name the file
   * lacks and HEARTH_ERR_HOST_DEPENDENCIES listing every missing or circular dependency.
   */
  static create(file: HearthConfig, name: string, options: HostOptions = {}): Host {
    const config = file.hosts[name];
    if (!config) {
      throw new HearthError('HEARTH_ERR_CONFIG_HOST_UNKNOWN', `the host file has no host '${name}' (hosts: ${Object.keys(file.hosts).join(', ')})`);
    }
    const elsewhere = new Map<string, string>();
    for (const other of Object.values(file.hosts)) {
      for (const plugin of other.plugins) for (const service of plugin.definition.provides ?? []) elsewhere.set(service, plugin.id);
    }
    const plan = planPlugins(config.plugins, elsewhere);
    if (plan.problems.length > 0) {
      throw new HearthError('HEARTH_ERR_HOST_DEPENDENCIES', `host '${name}' cannot start:\n${plan.problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    return new Host(file, config, plan.order.map((entry) => new PluginRun(entry)), options);
  }

  /** The base URL the server listens on, e.g. http://127.0.0.1:8080 (after start). */
  get url(): string {
    const address = this.#app.server.address() as AddressInfo | null;
    if (!address) throw new Error(`host '${this.name}' is not listening`);
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${hostPart}:${address.port}`;
  }

  /** The port actually bound (differs from the config when it asked for 0). */
  get port(): number {
    return (this.#app.server.address() as AddressInfo).port;
  }

  /** True once every plugin has started. */
  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** What a plugin's setup returned, for tests and for commands run in-process. */
  instance<T extends PluginInstance = PluginInstance>(id: string): T | undefined {
    return this.#plugins.find((p) => p.id === id)?.instance as T | undefined;
  }

  /** Starts the host; see the module comment for the order and the all-or-nothing rule. */
  async start(): Promise<void> {
    if (this.#state !== 'created') throw new Error(`host '${this.name}' was already started`);
    this.#state = 'starting';
    const started = Date.now();
    try {
      await mkdir(this.config.dataDir, { recursive: true, mode: 0o700 });
      await this.#setupPlugins();
      await this.#validatePlugins();
      await this.#listen();
      for (const plugin of this.#plugins) {
        try {
          await plugin.start();
          this.metrics.pluginUp.set({ plugin: plugin.id }, 1);
        } catch (error) {
          plugin.state = 'failed';
          throw new HearthError('HEARTH_ERR_PLUGIN_START', `plugin '${plugin.id}' failed to start`, { cause: error });
        }
      }
    } catch (error) {
      const failures = await this.#shutdown().catch((stopError: unknown) => [stopError]);
      throw joinErrors('HEARTH_ERR_HOST_START', `host '${this.name}' failed to start; everything it had started was stopped:`, [error, ...failures]);
    }
    this.#state = 'ready';
    this.logger.info({ url: this.url, plugins: this.#plugins.map((p) => p.id), ms: Date.now() - started }, 'host ready');
  }

  async #setupPlugins(): Promise<void> {
    for (const plugin of this.#plugins) {
      this.metrics.pluginUp.set({ plugin: plugin.id }, 0);
      try {
        await plugin.setup({ file: this.file, config: this.config, stage: this.stage, logger: this.logger, container: this.container });
      } catch (error) {
        plugin.state = 'failed';
        throw new HearthError('HEARTH_ERR_PLUGIN_SETUP', `plugin '${plugin.id}' failed to set up`, { cause: error });
      }
      const routes = plugin.instance.routes;
      if (routes) mountPluginRoutes(this.#app, plugin.id, () => this.#state === 'ready', (scope) => routes.call(plugin.instance, scope));
    }
  }

  async #validatePlugins(): Promise<void> {
    const failures: unknown[] = [];
    for (const plugin of this.#plugins) {
      try {
        await plugin.instance.validate?.();
      } catch (error) {
        failures.push(new HearthError('HEARTH_ERR_PLUGIN_VALIDATE', `plugin '${plugin.id}' rejected the configuration`, { cause: error }));
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw joinErrors('HEARTH_ERR_PLUGIN_VALIDATE', 'plugins rejected the configuration:', failures);
  }

  async #listen(): Promise<void> {
    try {
      await this.#app.listen({ host: this.config.listen, port: this.config.port });
      this.#listening = true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const hint = code === 'EADDRINUSE' ? 'another process uses it: stop it or change the port' : code === 'EADDRNOTAVAIL' ? 'this machine has no such address: fix `listen`' : 'see the cause';
      throw new HearthError('HEARTH_ERR_HOST_LISTEN', `host '${this.name}' cannot listen on ${this.config.listen}:${this.config.port} (${code ?? 'error'}): ${hint}`, { cause: error });
    }
  }

  /** Stops the host: no new requests, plugins stopped in reverse, services closed. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown().then((failures) => {
      if (failures.length > 0) throw joinErrors('HEARTH_ERR_HOST_STOP', `host '${this.name}' stopped, with failures:`, failures);
    });
    return this.#stopping;
  }

  async #shutdown(): Promise<unknown[]> {
    this.#state = 'stopping';
    const failures: unknown[] = [];
    try {
      // In-flight requests finish (plugins still run); new ones get 503.
      if (this.#listening || this.#app.server.listening) await this.#app.close();
      else await this.#app.close().catch(() => undefined);
    } catch (error) {
      failures.push(error);
    }
    for (const plugin of [...this.#plugins].reverse()) {
      failures.push(...(await plugin.close()));
      this.metrics.pluginUp.set({ plugin: plugin.id }, 0);
    }
    try {
      await this.container.dispose();
    } catch (error) {
      failures.push(error);
    }
    this.#state = 'stopped';
    this.logger.info({ failures: failures.length }, 'host stopped');
    this.logger.flush();
    return failures;
  }
}
