/**
 * The query plugin: the analytics HTTP API (`/query/v1/stats`, `/query/v1/sites`) and the
 * dashboard page (`/query/`), answered from the host's analytics store — the same answers on
 * DuckDB and ClickHouse. See docs/plugins/query.md.
 */
import { definePlugin, type PluginInstance } from '../../core/plugin/definition.js';
import { queryConfigSchema } from './config.js';
import { registerDashboardRoutes } from './dashboard/dashboardRoutes.js';
import { queryErrors } from './errors.js';
import { registerApiRoutes } from './http/apiRoutes.js';
import { corsPolicy, originProblem } from './http/cors.js';
import { createQueryMetrics } from './metrics.js';

export type { StatsRequest } from './api/statsRequest.js';
export { DASHBOARD_PANELS, panelRequest } from './dashboard/dashboardPanels.js';

/** The query plugin's definition. */
export const queryPlugin = definePlugin({
  id: 'query',
  description: 'analytics API (visitors, pageviews, top pages, referrers, status codes, bandwidth) and dashboard page',
  configSchema: queryConfigSchema,
  needs: ['analytics', 'tokens', 'clock', 'metrics'],
  // Nothing of its own to back up: the rate-limit buckets live in memory, the data in the store.
  state: { paths: [] },
  errors: queryErrors,
  checkConfig: ({ config }) =>
    config.cors.origins.flatMap((origin, index) => {
      const problem = originProblem(origin);
      return problem ? [{ code: 'HEARTH_ERR_QUERY_CONFIG' as const, path: ['cors', 'origins', index], message: problem }] : [];
    }),
  setup(ctx): PluginInstance {
    const { config } = ctx;
    const cors = corsPolicy(config.cors.origins, config.cors.maxAgeSeconds);
    const store = ctx.services.analytics;
    const metrics = createQueryMetrics(ctx.services.metrics, store.engine);
    return {
      routes(app) {
        registerApiRoutes(app, { config, store, tokens: ctx.services.tokens, clock: ctx.services.clock, metrics, cors });
        if (config.dashboard) registerDashboardRoutes(app);
      },
    };
  },
});

export default queryPlugin;
