/**
 * The awilix container of one host: the core services, each created on first use and disposed
 * when the host stops. One container per host (never a module-level one), so two hosts in one
 * process — `hearth start --all`, or tests — share nothing. Plugins resolve from a scope of it.
 */
import { asFunction, asValue, createContainer, InjectionMode, type AwilixContainer } from 'awilix';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HearthConfig, HostConfig } from '../config/types.js';
import { systemClock, type Clock } from '../services/clock.js';
import { CronScheduler, type Scheduler } from '../services/scheduler.js';
import { TokenRegistry } from '../services/tokens.js';
import { createStorage } from '../services/storage/createStorage.js';
import type { Storage } from '../services/storage/storage.js';
import { createAnalyticsStore, type AnalyticsStore } from '../services/analytics/analyticsStore.js';
import type { HearthServices } from '../plugin/services.js';

/** Replacements for core services, for tests and simulations. */
export interface ServiceOverrides {
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
}

/** What the container holds: the core services plus the host's own facts. */
export interface HostCradle extends HearthServices {
  hearthConfig: HearthConfig;
  hostConfig: HostConfig;
  logger: Logger;
}

/** Creates the container of one host. */
export function createHostContainer(
  config: HearthConfig,
  host: HostConfig,
  logger: Logger,
  registry: Registry,
  overrides: ServiceOverrides = {},
): AwilixContainer<HostCradle> {
  const container = createContainer<HostCradle>({ injectionMode: InjectionMode.PROXY, strict: true });
  container.register({
    hearthConfig: asValue(config),
    hostConfig: asValue(host),
    logger: asValue(logger),
    metrics: asValue(registry),
    clock: asValue(overrides.clock ?? systemClock),
    scheduler: overrides.scheduler
      ? asValue(overrides.scheduler)
      : asFunction(({ logger: log }: HostCradle) => new CronScheduler(log.child({ component: 'scheduler' })))
          .singleton()
          .disposer((scheduler) => scheduler.stopAll()),
    tokens: asFunction(() => new TokenRegistry(config.sites, config.tokens)).singleton(),
    storage: asFunction(({ hostConfig, logger: log }: HostCradle): Storage => createStorage(hostConfig.storage, log.child({ component: 'storage' })))
      .singleton()
      .disposer((storage) => storage.close()),
    analytics: asFunction(({ hostConfig, logger: log }: HostCradle): AnalyticsStore => createAnalyticsStore(hostConfig.analytics, { logger: log.child({ component: 'analytics' }) }))
      .singleton()
      .disposer((store) => store.close()),
  });
  return container;
}
