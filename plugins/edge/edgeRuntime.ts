/**
 * The edge plugin assembled from its setup context: per-site settings checked once, the live
 * release cache, the memory cache, the request handler, the access-log queue and its sink
 * (in-process intake when the host runs it, else TCP/UDP to an intake elsewhere, else none).
 * Setup opens nothing; start reads the TLS files, listens and warms the sites' live releases;
 * stop closes the listener, then hands over queued records.
 */
import type { Logger } from 'pino';
import type { SetupContext, PluginInstance } from '../../core/plugin/definition.js';
import type { TokenRegistry } from '../../core/services/tokens.js';
import type { IngestService } from '../intake/index.js';
import { EDGE_DEFAULTS, resolveEdgeSite, type EdgeConfig } from './config.js';
import { ClientAddressReader } from './http/clientAddress.js';
import { listenEdge, readTlsFiles, type BoundEdgeServer } from './http/edgeServer.js';
import { RequestIds } from './logs/accessRecord.js';
import { AccessLogQueue } from './logs/accessLogQueue.js';
import { bunnyField } from './logs/bunnyLine.js';
import { ingestSink, TcpLogSink, UdpLogSink, type AccessLogSink } from './logs/logSinks.js';
import { EdgeMetrics, UNKNOWN_SITE_LABEL } from './metrics.js';
import { CachePolicy } from './serve/cachePolicy.js';
import { ContentCache } from './serve/contentCache.js';
import type { SiteRuntime } from './serve/exchange.js';
import { FileResponder } from './serve/fileResponder.js';
import { LiveReleases } from './serve/liveReleases.js';
import type { PathRules } from './serve/servedRelease.js';
import { siteHeaders } from './serve/securityHeaders.js';
import { SiteRequestHandler } from './serve/siteRequestHandler.js';

/** What `host.instance('edge')` returns. */
export interface EdgeInstance extends PluginInstance {
  /** The bound port (after start). */
  readonly port: number;
  /** The edge's base URL, e.g. `http://127.0.0.1:8088` (after start). */
  readonly url: string;
  /** `ingest`, `tcp`, `udp`, or undefined when access logs go nowhere. */
  readonly logSink: string | undefined;
  /** Hands over every queued access-log record now. */
  flushLogs(): Promise<void>;
  /** Checks a site's live pointer now, without waiting for `revalidateMs` (after a deploy). */
  refresh(site: string): Promise<void>;
}

type EdgeContext = SetupContext<EdgeConfig, 'storage' | 'tokens' | 'metrics', 'ingest'>;

/** Builds the edge from its setup context. */
export function createEdgeRuntime(ctx: EdgeContext): EdgeInstance {
  const { config, logger } = ctx;
  const { storage, tokens, metrics: registry } = ctx.services;
  const cache = new ContentCache(config.cache.maxBytes);
  const metrics = new EdgeMetrics(registry, () => cache.bytes);
  const tls = config.tls !== undefined;
  const clients = new ClientAddressReader(config.trustedProxies, tls);
  const rules = new Map<string, PathRules>();
  const sites = new Map<string, SiteRuntime>();
  for (const site of Object.values(ctx.file.sites)) {
    const settings = resolveEdgeSite(ctx.sites.get(site.name));
    const headers = siteHeaders({ site: site.name, tls, hstsMaxAge: config.hstsMaxAge, ...(config.headers ? { pluginHeaders: config.headers } : {}), ...(settings.headers ? { siteHeaders: settings.headers } : {}) });
    rules.set(site.name, {
      cleanUrls: settings.cleanUrls,
      notFoundPage: settings.notFoundPage,
      policy: new CachePolicy(settings.cacheControl, config.cacheControl, config.immutableHashedAssets),
      compressMinBytes: config.compression.minBytes,
      compressMaxBytes: config.compression.maxBytes,
      siteHeaders: headers,
    });
    sites.set(site.name, {
      name: site.name,
      headers,
      meters: metrics.site(site.name),
      pullZoneId: settings.pullZoneId,
    });
  }
  const lives = new LiveReleases({ storage, revalidateMs: config.revalidateMs, rules: (site) => rules.get(site)!, logger, observe: (_site, check) => metrics.liveCheck(check) });
  const sink = config.logs.enabled ? chooseSink(config, ctx.services.ingest) : undefined;
  const queue = sink === undefined ? undefined : new AccessLogQueue(sink, config.logs, metrics, logger);
  const handler = new SiteRequestHandler({
    tokens,
    sites,
    lives,
    files: new FileResponder({
      storage,
      cache,
      cacheMaxFileBytes: config.cache.maxFileBytes,
      levels: { brotliQuality: config.compression.brotliQuality, gzipLevel: config.compression.gzipLevel },
    }),
    ids: new RequestIds(),
    reporting: { clients, edgeLocation: bunnyField(config.logs.location ?? ctx.hostName.slice(0, 32), '-'), log: queue === undefined ? undefined : (record) => queue.push(record) },
    unknownSite: metrics.site(UNKNOWN_SITE_LABEL),
    maxTargetBytes: config.limits.maxTargetBytes,
    logger,
    retried: (site) => metrics.retried(site),
  });
  let server: BoundEdgeServer | undefined;
  // Also after a start that failed half-way (listening, then an error): both closes are idempotent.
  ctx.onClose(async () => {
    await server?.close();
    await queue?.stop();
  });
  if (sink === undefined && config.logs.enabled) logger.info('edge: access logs go nowhere (no intake on this host and no plugins.edge.logs.intake address)');

  return {
    get port() {
      if (server === undefined) throw new Error('the edge is not listening yet');
      return server.port;
    },
    get url() {
      if (server === undefined) throw new Error('the edge is not listening yet');
      return server.url;
    },
    logSink: sink?.name,
    flushLogs: async () => {
      await queue?.flush();
    },
    refresh: async (site) => {
      await lives.current(site, true);
    },
    async start() {
      const files = config.tls ? await readTlsFiles(config.tls.cert, config.tls.key) : undefined;
      server = await listenEdge(
        { host: config.listen ?? ctx.host.listen, port: config.port, tls: files, ...config.limits },
        handler.handle,
      );
      queue?.start();
      await warm(lives, tokens, logger);
      logger.info({ url: server.url, sites: sites.size, logs: sink?.name ?? 'none' }, 'edge listening');
    },
    async stop() {
      await server?.close();
      await queue?.stop();
    },
  };
}

function chooseSink(config: EdgeConfig, ingest: IngestService | undefined): AccessLogSink | undefined {
  if (ingest !== undefined) return ingestSink(ingest);
  const intake = config.logs.intake;
  if (intake === undefined) return undefined;
  if (intake.protocol === 'udp') return new UdpLogSink(intake.address, EDGE_DEFAULTS.udpDatagramBytes);
  return new TcpLogSink(intake.address, { initialMs: EDGE_DEFAULTS.reconnectInitialMs, maxMs: EDGE_DEFAULTS.reconnectMaxMs });
}

/** Reads every site's live release once, so the first visitors do not wait for storage. */
async function warm(lives: LiveReleases, tokens: TokenRegistry, logger: Logger): Promise<void> {
  await Promise.all(
    [...tokens.sites.keys()].map((site) =>
      lives.current(site).catch((error: unknown) => logger.warn({ site, err: error }, 'edge: the live release could not be read at start; requests will retry')),
    ),
  );
}
