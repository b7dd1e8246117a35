/**
 * The host's one fastify server: /healthz, /readyz, /metrics, and each plugin's routes
 * encapsulated under `/<plugin id>/`. Requests to a plugin before the host is ready (or once it
 * is stopping) get 503.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { HostConfig } from '../config/types.js';
import type { HostMetrics } from './hostMetrics.js';
import { handleError, handleNotFound } from './errorResponses.js';
import { HearthError } from '../errors/HearthError.js';

/** What the server asks of the host. */
export interface ServerHost {
  readonly config: HostConfig;
  readonly logger: Logger;
  readonly metrics: HostMetrics;
  /** True once every plugin started, false again when stopping begins. */
  isReady(): boolean;
  /** Per-plugin status, for /readyz. */
  pluginStates(): Record<string, string>;
}

function sameSecret(given: string, expected: string): boolean {
  // Hash both sides so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/** Builds the server (not listening yet). */
export function createServer(host: ServerHost): FastifyInstance {
  const { config } = host;
  const app = Fastify({
    loggerInstance: host.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Requests are logged once, at debug, by the onResponse hook below (with their route and time).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.http.bodyLimit,
    requestTimeout: config.http.requestTimeoutMs,
    // Bounded header size and keep-alive so idle or slow clients cannot pile up.
    routerOptions: { maxParamLength: 500 },
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: false,
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  app.addHook('onResponse', async function recordRequest(request, reply) {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_class: statusClass(reply.statusCode),
    };
    host.metrics.httpRequests.inc(labels);
    host.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = host.isReady();
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', plugins: host.pluginStates() });
  });
  const token = config.metrics.token;
  app.get('/metrics', async (request, reply) => {
    if (token) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!given || !sameSecret(given, token.reveal())) {
        void reply.header('WWW-Authenticate', 'Bearer realm="hearth-metrics"');
        throw new HearthError('HEARTH_ERR_HTTP_UNAUTHORIZED', 'this host protects /metrics: send Authorization: Bearer <metrics.token>');
      }
    }
    const body = await host.metrics.registry.metrics();
    return reply.type(host.metrics.registry.contentType).send(body);
  });
  return app;
}

/** Registers a plugin's routes under `/<id>`, encapsulated, behind the readiness gate. */
export function mountPluginRoutes(
  app: FastifyInstance,
  id: string,
  isReady: () => boolean,
  routes: (scope: FastifyInstance) => void | Promise<void>,
): void {
  void app.register(
    async function pluginScope(scope) {
      scope.addHook('onRequest', async function readinessGate() {
        if (!isReady()) throw new HearthError('HEARTH_ERR_HOST_NOT_READY', `plugin '${id}' is not serving yet (the host is starting or stopping); retry shortly`);
      });
      await routes(scope);
    },
    { prefix: `/${id}` },
  );
}
