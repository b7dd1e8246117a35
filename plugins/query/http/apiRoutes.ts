/**
 * The analytics API under `/query/v1/`: `POST /v1/stats` (JSON body), `GET /v1/stats` (the same
 * as a query string), `GET /v1/sites` (the sites a token may read), and their CORS preflights.
 * Every request is authenticated before its body is read, then rate-limited per token, checked
 * field by field, authorized for its site, and answered from the analytics store.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { AggregateQuery } from '../../../core/services/analytics/aggregateQuery.js';
import type { AnalyticsStore } from '../../../core/services/analytics/analyticsStore.js';
import type { Clock } from '../../../core/services/clock.js';
import { grantHasScope, type TokenRegistry } from '../../../core/services/tokens.js';
import { statsBodyFromQuery } from '../api/queryString.js';
import { readStatsRequest } from '../api/statsRequest.js';
import { answerStats } from '../api/statsRunner.js';
import type { QueryConfig } from '../config.js';
import type { QueryMetrics } from '../metrics.js';
import { authenticate, authorizeSite, readableSites } from './auth.js';
import type { CorsPolicy } from './cors.js';
import { RateLimiter } from './rateLimiter.js';

/** What the API routes use. */
export interface ApiDependencies {
  readonly config: QueryConfig;
  readonly store: AnalyticsStore;
  readonly tokens: TokenRegistry;
  readonly clock: Clock;
  readonly metrics: QueryMetrics;
  readonly cors: CorsPolicy;
}

/** Registers the API routes on the plugin's scope (mounted under `/query`). */
export function registerApiRoutes(app: FastifyInstance, deps: ApiDependencies): void {
  const { config, store, tokens, clock, metrics, cors } = deps;
  const limiter = config.rateLimit.enabled ? new RateLimiter(config.rateLimit, clock) : undefined;
  const tokenOf = new WeakMap<FastifyRequest, string>();

  const guard = async function guardApi(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    cors.decorate(request, reply);
    void reply.header('Cache-Control', 'no-store');
    const { token, grant } = authenticate(request, reply, tokens);
    const verdict = limiter?.take(grant.name);
    if (verdict && !verdict.ok) {
      void reply.header('Retry-After', String(verdict.retryAfterSeconds));
      throw new HearthError(
        'HEARTH_ERR_QUERY_RATE_LIMITED',
        `token '${grant.name}' made more than ${config.rateLimit.requestsPerMinute} requests a minute (burst ${config.rateLimit.burst}); retry in ${verdict.retryAfterSeconds} s`,
      );
    }
    tokenOf.set(request, token);
  };
  const record = async function recordQuery(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    metrics.answered(reply.statusCode, reply.elapsedTime / 1000);
  };
  const timedAggregate = async (query: AggregateQuery) => {
    const started = performance.now();
    try {
      return await store.aggregate(query);
    } finally {
      metrics.storeQuery((performance.now() - started) / 1000);
    }
  };

  const answer = async (request: FastifyRequest, body: unknown): Promise<unknown> => {
    const started = performance.now();
    const stats = readStatsRequest(body);
    authorizeSite(tokens, tokenOf.get(request) ?? '', stats.site);
    if (!tokens.sites.has(stats.site)) {
      throw new HearthError('HEARTH_ERR_QUERY_SITE_UNKNOWN', `site: '${stats.site}' is not under sites in the host file`);
    }
    const result = await answerStats(stats, {
      aggregate: timedAggregate,
      now: clock.now(),
      maxRangeDays: config.maxRangeDays,
      maxBuckets: config.maxBuckets,
      concurrency: config.bucketQueryConcurrency,
    });
    const tookMs = Math.round((performance.now() - started) * 10) / 10;
    return { data: result.data, meta: { ...result.meta, engine: store.engine, took_ms: tookMs } };
  };

  const preflight = (request: FastifyRequest, reply: FastifyReply): void => cors.preflight(request, reply);
  app.options('/v1/stats', preflight);
  app.options('/v1/sites', preflight);

  const guarded = { onRequest: guard, onResponse: record };
  app.get('/v1/sites', guarded, async (request) => {
    const grant = tokens.verify(tokenOf.get(request) ?? '');
    if (!grant || !grantHasScope(grant, 'read')) {
      throw new HearthError('HEARTH_ERR_HTTP_FORBIDDEN', "this token has no 'read' scope; analytics need a token made with --scope read");
    }
    return { data: readableSites(tokens, grant).map((site) => ({ site })), meta: { engine: store.engine } };
  });
  app.get('/v1/stats', guarded, async (request) => answer(request, statsBodyFromQuery(request.query)));
  app.post('/v1/stats', { ...guarded, bodyLimit: config.maxBodyBytes }, async (request) => answer(request, request.body));
}
