/**
 * Runs the intake plugin the way a host does — config validated with defaults by the host's own
 * validator, setup with a context, routes mounted under /intake on a real fastify server, start,
 * stop — with a real analytics store, token registry and Prometheus registry. Used by the suites
 * that need to stop the store or the plugin at chosen moments; the end-to-end suite boots a whole
 * host from YAML instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { validateAt } from '../../core/config/validator.js';
import { handleError } from '../../core/http/errorResponses.js';
import type { AnalyticsConfig, SiteConfig, TokenConfig } from '../../core/config/types.js';
import { createAnalyticsStore, type AnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import { systemClock, type Clock } from '../../core/services/clock.js';
import { ManualScheduler } from '../../core/services/scheduler.js';
import { TokenRegistry, generateToken, hashToken } from '../../core/services/tokens.js';
import { intakePlugin, type IntakeInstance } from '../../plugins/intake/index.js';

/** A running intake plugin and what a test needs around it. */
export interface IntakeUnderTest {
  readonly instance: IntakeInstance;
  readonly store: AnalyticsStore;
  readonly registry: Registry;
  /** Base URL of the HTTP server (routes under /intake). */
  readonly url: string;
  /** A token with the ingest scope on every site. */
  readonly token: string;
  readonly dataDir: string;
  readonly logs: string[];
  /** The scheduler the plugin registered its jobs with (run them with `run(name)`). */
  readonly scheduler: ManualScheduler;
  tcpPort(): number;
  udpPort(): number;
  /** Stops the plugin (flushing) and closes the HTTP server; the store stays open. */
  stop(): Promise<void>;
}

/** What a test may choose. */
export interface IntakeHarnessOptions {
  readonly analytics: AnalyticsConfig;
  /** `hosts.<host>.plugins.intake`; listeners default to TCP and UDP on free loopback ports. */
  readonly config?: Record<string, unknown>;
  readonly sites?: Readonly<Record<string, HarnessSite>>;
  /** Reuse a data directory (a restart). */
  readonly dataDir?: string;
  readonly clock?: Clock;
  /** Extra tokens (name -> sites, scopes). */
  readonly tokens?: Readonly<Record<string, { token: string; sites: string[]; scopes: TokenConfig['scopes'] }>>;
  /** Reuse a store (e.g. one the test stops and starts). */
  readonly store?: AnalyticsStore;
}

/** A site as the harness takes it. */
export interface HarnessSite {
  readonly aliases?: string[];
  readonly intake?: Record<string, unknown>;
}

/** The sites every harness knows unless told otherwise. */
export const DEFAULT_SITES: Readonly<Record<string, HarnessSite>> = { 'example.com': { aliases: ['www.example.com', 'example.b-cdn.net'] }, 'blog.example.org': {} };

/** Sets up and starts the intake plugin. */
export async function startIntake(options: IntakeHarnessOptions): Promise<IntakeUnderTest> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'hearth-intake-')));
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }));
  const siteInput = options.sites ?? DEFAULT_SITES;
  const sites: Record<string, SiteConfig> = {};
  const pluginSites = new Map<string, unknown>();
  for (const [name, site] of Object.entries(siteInput)) {
    const plugins: Record<string, unknown> = {};
    if (site.intake) {
      const intake = structuredClone(site.intake);
      const { problems } = validateAt(intakePlugin.siteSchema!, intake, ['sites', name, 'intake']);
      if (problems.length > 0) throw new Error(`bad site config: ${JSON.stringify(problems)}`);
      plugins.intake = intake;
      pluginSites.set(name, intake);
    }
    sites[name] = { name, aliases: site.aliases ?? [], plugins };
  }
  const token = generateToken();
  const tokenConfigs: Record<string, TokenConfig> = { ingest: { name: 'ingest', hash: hashToken(token), sites: ['*'], scopes: ['ingest'] } };
  for (const [name, extra] of Object.entries(options.tokens ?? {})) {
    tokenConfigs[name] = { name, hash: hashToken(extra.token), sites: extra.sites, scopes: extra.scopes };
  }
  const config = structuredClone(options.config ?? {}) as Record<string, unknown>;
  config.listeners ??= [
    { protocol: 'tcp', port: 0, host: '127.0.0.1' },
    { protocol: 'udp', port: 0, host: '127.0.0.1' },
  ];
  const { problems } = validateAt(intakePlugin.configSchema, config, ['plugins', 'intake']);
  if (problems.length > 0) throw new Error(`bad intake config: ${JSON.stringify(problems)}`);
  const store = options.store ?? createAnalyticsStore(options.analytics, { logger });
  const registry = new Registry();
  const scheduler = new ManualScheduler();
  const instance = (await intakePlugin.setup({
    config: config as never,
    sites: pluginSites,
    hostName: 'services',
    host: {} as never,
    file: {} as never,
    stage: { name: 'test', isDefault: false, portOffset: 0, database: (base: string) => `${base}_test` },
    dataDir,
    logger,
    services: { analytics: store, tokens: new TokenRegistry(sites, tokenConfigs), metrics: registry, clock: options.clock ?? systemClock, scheduler },
    provide: () => undefined,
    onClose: () => undefined,
  })) as IntakeInstance;
  const app: FastifyInstance = Fastify();
  app.setErrorHandler(handleError);
  if (instance.routes) await app.register(instance.routes, { prefix: '/intake' });
  await instance.start();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const portOf = (protocol: 'tcp' | 'udp'): number => {
    const listener = instance.listeners.find((candidate) => candidate.protocol === protocol);
    if (!listener) throw new Error(`no ${protocol} listener`);
    return listener.port;
  };
  let stopped = false;
  return {
    instance,
    store,
    registry,
    url,
    token,
    dataDir,
    logs,
    scheduler,
    tcpPort: () => portOf('tcp'),
    udpPort: () => portOf('udp'),
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await instance.stop();
    },
  };
}

/** Removes a data directory a harness made. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
