/**
 * Wires one intake plugin together from its setup context: the record builder, the spool, the
 * sender, the pipeline, the listeners, the routes and the ingest service. Setup only builds
 * objects; `start` recovers the spool, starts the sender and binds the listeners (all or none);
 * `stop` closes the listeners, seals the last batch, delivers what it can within `stopFlushMs`
 * and leaves the rest in the spool for the next start.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import type { Clock } from '../../core/services/clock.js';
import type { ScheduledJob, Scheduler } from '../../core/services/scheduler.js';
import type { TokenRegistry } from '../../core/services/tokens.js';
import { HearthError, joinErrors } from '../../core/errors/HearthError.js';
import { throwConfigProblems } from '../../core/plugin/configProblems.js';
import type { IntakeConfig } from './config.js';
import { intakeConfigProblems, pullZoneOwners } from './configCheck.js';
import { BatchSender } from './delivery/batchSender.js';
import { IntakePipeline } from './delivery/intakePipeline.js';
import { Spool } from './delivery/spool.js';
import { createIngestService, type IngestService } from './ingestService.js';
import { intakeRoutes } from './listeners/httpRoutes.js';
import { parseAllowlist } from './listeners/sourceAllowlist.js';
import { listenTcp, type BoundTcpListener } from './listeners/tcpListener.js';
import { listenUdp, type BoundListener } from './listeners/udpListener.js';
import { createIntakeMetrics } from './metrics.js';
import { RecordBuilder } from './records/recordBuilder.js';
import { RequestIdWindow } from './records/requestIdWindow.js';
import { SiteResolver } from './records/siteResolver.js';
import { UserAgentReader } from './records/userAgentInfo.js';
import { VisitorHasher } from './records/visitorHasher.js';

/** The spool's folder inside the plugin's data directory (declared as owned state). */
export const SPOOL_DIR = 'spool';

/** What the runtime draws on (the plugin's setup context, narrowed). */
export interface IntakeRuntimeContext {
  readonly config: IntakeConfig;
  readonly sites: ReadonlyMap<string, unknown>;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly services: {
    readonly analytics: AnalyticsStore;
    readonly tokens: TokenRegistry;
    readonly metrics: Registry;
    readonly clock: Clock;
    readonly scheduler: Scheduler;
  };
}

/** The instance `host.instance('intake')` returns. */
export interface IntakeInstance {
  routes?(app: FastifyInstance): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The bound listeners (after start), with their actual ports. */
  readonly listeners: readonly BoundListener[];
  /** The in-process ingest service this plugin provides. */
  readonly ingest: IngestService;
}

/** Builds the runtime; nothing listens or touches the disk until `start`. */
export function createIntakeRuntime(ctx: IntakeRuntimeContext): IntakeInstance {
  const { config, logger } = ctx;
  const { analytics, tokens, clock, scheduler } = ctx.services;
  throwConfigProblems('intake', intakeConfigProblems(config, ctx.sites, (site) => tokens.sites.has(site)));
  const allow = parseAllowlist(config.allow, 'plugins.intake.allow');
  const bound: BoundListener[] = [];
  const tcp: BoundTcpListener[] = [];
  let sender: BatchSender | undefined;
  let spool: Spool | undefined;
  const metrics = createIntakeMetrics(ctx.services.metrics, {
    spoolBytes: () => spool?.diskBytes ?? 0,
    queuedBatches: () => sender?.queuedBatches ?? 0,
    queuedRecords: () => spool?.spooledRows ?? 0,
    tcpConnections: () => tcp.reduce((sum, listener) => sum + listener.connections(), 0),
  });
  const builder = new RecordBuilder({
    sites: new SiteResolver(tokens, pullZoneOwners(ctx.sites).zones),
    agents: new UserAgentReader(),
    visitors: new VisitorHasher(ctx.dataDir),
    clock,
    window: { maxAgeMs: config.window.maxAgeHours * 3_600_000, maxFutureMs: config.window.maxFutureSeconds * 1000 },
  });
  let pipeline: IntakePipeline;
  const requestIds = new RequestIdWindow(config.dedupRequestIds);
  spool = new Spool({
    dir: join(ctx.dataDir, SPOOL_DIR),
    maxBatchRows: config.batch.maxRows,
    maxBatchDelayMs: config.batch.maxDelayMs,
    logger,
    onSealed: (batch) => sender?.enqueue(batch),
    onLost: (rows, count) => {
      metrics.drop('spool_failed', count);
      requestIds.forgetRows(rows);
    },
    onRelief: () => pipeline.relieved(),
  });
  sender = new BatchSender(analytics, spool, metrics, logger, config.retry);
  pipeline = new IntakePipeline({
    builder,
    requestIds,
    spool,
    metrics,
    clock,
    limits: { maxLineBytes: config.maxLineBytes, maxPendingBytes: config.spool.maxPendingBytes, maxSpoolBytes: config.spool.maxBytes },
  });
  let markStarted: () => void = () => undefined;
  let markStopped: (error: Error) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    markStopped = reject;
  });
  started.catch(() => undefined);
  const ingest = createIngestService(pipeline, started);
  let retention: ScheduledJob | undefined;

  const closeListeners = async (): Promise<void> => {
    const open = bound.splice(0);
    tcp.length = 0;
    await Promise.all(open.map((listener) => listener.close()));
  };

  return {
    ingest,
    get listeners() {
      return [...bound];
    },
    ...(config.http.enabled
      ? { routes: intakeRoutes({ pipeline, tokens, format: config.http.format, maxBodyBytes: config.http.maxBodyBytes }) }
      : {}),
    async start() {
      for (const batch of await spool!.open()) sender!.enqueue(batch);
      sender!.start();
      const failures: unknown[] = [];
      for (const listener of config.listeners) {
        const source = { listener: listener.protocol, format: listener.format, ...(listener.site ? { defaultSite: listener.site } : {}) };
        const common = { host: listener.host, port: listener.port, source, allow, maxLineBytes: config.maxLineBytes, pipeline, logger };
        try {
          if (listener.protocol === 'udp') bound.push(await listenUdp(common));
          else {
            const bind = await listenTcp({ ...common, maxConnections: config.tcp.maxConnections, idleTimeoutMs: config.tcp.idleTimeoutMs, frameTimeoutMs: config.tcp.frameTimeoutMs, metrics });
            bound.push(bind);
            tcp.push(bind);
          }
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) {
        await closeListeners();
        await sender!.stop();
        await spool!.close();
        throw failures.length === 1 ? failures[0] : joinErrors('HEARTH_ERR_INTAKE_LISTEN', 'intake listeners failed to bind', failures);
      }
      if (config.retentionCron !== '') {
        retention = scheduler.schedule('intake-retention', config.retentionCron, async () => {
          await analytics.applyRetention(clock.now());
        });
      }
      markStarted();
    },
    async stop() {
      markStopped(new HearthError('HEARTH_ERR_INTAKE_SPOOL', 'the intake plugin has stopped'));
      retention?.stop();
      await closeListeners();
      await spool!.sealCurrent();
      const emptied = await sender!.drain(config.stopFlushMs);
      await sender!.stop();
      await spool!.close();
      if (!emptied) logger.warn({ batches: sender!.queuedBatches }, 'stopped with batches still in the spool; they are stored on the next start');
    },
  };
}
