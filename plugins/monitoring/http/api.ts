/**
 * The monitoring plugin's routes, mounted under `/monitoring`: the status page, Prometheus-style
 * read APIs and Alertmanager-style silences. Reading needs a `read` token (unless
 * `api.publicRead`), changing silences an `admin` token; see auth.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { TokenRegistry } from '../../../core/services/tokens.js';
import type { Monitor } from '../monitor.js';
import { alertViews, queryView, rulesView, silenceView, targetsView } from './apiViews.js';
import { authorize } from './auth.js';
import { renderStatusPage } from './statusPage.js';

/** Largest silence request body. */
const SILENCE_BODY_LIMIT = 64 * 1024;
/** Longest query accepted by `/api/v1/query`. */
const MAX_QUERY_LENGTH = 4096;

/** Registers the routes on the plugin's scope. */
export function registerMonitoringRoutes(app: FastifyInstance, monitor: Monitor, tokens: TokenRegistry, publicRead: boolean): void {
  const read = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!publicRead) authorize(request, reply, tokens, 'read');
  };
  const admin = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => authorize(request, reply, tokens, 'admin');
  const now = (): number => monitor.parts.clock.now().getTime();

  app.get('/', { onRequest: read }, async (_request, reply) => {
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderStatusPage(monitor));
  });
  app.get('/api/v1/targets', { onRequest: read }, async () => targetsView(monitor));
  app.get('/api/v1/alerts', { onRequest: read }, async () => ({ status: 'success', data: { alerts: alertViews(monitor) } }));
  app.get('/api/v1/rules', { onRequest: read }, async () => rulesView(monitor));
  app.get<{ Querystring: { query?: string; time?: string } }>('/api/v1/query', { onRequest: read }, async (request) => {
    const query = request.query.query ?? '';
    if (!query || query.length > MAX_QUERY_LENGTH) {
      throw new HearthError('HEARTH_ERR_MONITORING_PROMQL', `'query' must be a PromQL expression of 1 to ${MAX_QUERY_LENGTH} characters`);
    }
    const time = request.query.time === undefined ? now() : Number(request.query.time) * 1000;
    if (!Number.isFinite(time)) throw new HearthError('HEARTH_ERR_MONITORING_PROMQL', `'time' must be seconds since the epoch, got '${request.query.time}'`);
    return queryView(monitor, query, time);
  });
  app.get('/api/v1/silences', { onRequest: read }, async () => monitor.parts.silences.list().map((s) => silenceView(s, now())));
  app.post('/api/v1/silences', { onRequest: admin, bodyLimit: SILENCE_BODY_LIMIT }, async (request) => {
    const silence = await monitor.parts.silences.add(request.body, now());
    return { silenceID: silence.id };
  });
  app.delete<{ Params: { id: string } }>('/api/v1/silences/:id', { onRequest: admin }, async (request) => {
    const silence = await monitor.parts.silences.expire(request.params.id, now());
    return silenceView(silence, now());
  });
}
