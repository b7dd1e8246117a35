/**
 * Core services of one host opened outside the running host, for CLI commands that read or change
 * a host's state (`hearth git deploys`, `hearth stage destroy`, `hearth restore`).
 */
import { join } from 'node:path';
import { pino } from 'pino';
import type { HearthConfig } from '../config/types.js';
import type { OfflineServices } from '../plugin/definition.js';
import { HearthError } from '../errors/HearthError.js';
import { stageContext } from '../stage/stageContext.js';
import { systemClock } from '../services/clock.js';
import { TokenRegistry } from '../services/tokens.js';
import { createStorage } from '../services/storage/createStorage.js';

/** Opens the core services of `hostName` from a loaded file. Logs go to stderr, warnings and up. */
export function openOffline(config: HearthConfig, hostName: string): OfflineServices {
  const host = config.hosts[hostName];
  if (!host) {
    throw new HearthError('HEARTH_ERR_CONFIG_HOST_UNKNOWN', `the host file has no host '${hostName}' (hosts: ${Object.keys(config.hosts).join(', ')})`);
  }
  const logger = pino({ level: 'warn', base: { host: hostName, stage: config.stage } }, pino.destination(2));
  const storage = createStorage(host.storage, logger);
  return {
    config,
    host,
    stage: stageContext(config.stage, config.portOffset),
    logger,
    services: { storage, clock: systemClock, tokens: new TokenRegistry(config.sites, config.tokens) },
    dataDirOf: (pluginId) => join(host.dataDir, pluginId),
    close: () => storage.close(),
  };
}
