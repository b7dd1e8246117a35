/**
 * Serves the dashboard: the page at `/query/` (and a redirect from `/query`), its script and style
 * sheet under `/query/assets/`. The page needs no token to load; the data it shows does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DASHBOARD_ASSETS, DASHBOARD_CSP, type DashboardAsset } from './dashboardAssets.js';

function serve(asset: DashboardAsset, cacheControl: string) {
  return async function serveAsset(request: FastifyRequest, reply: FastifyReply): Promise<string | void> {
    void reply
      .header('Content-Type', asset.contentType)
      .header('ETag', asset.etag)
      .header('Cache-Control', cacheControl)
      .header('X-Content-Type-Options', 'nosniff');
    if (request.headers['if-none-match'] === asset.etag) return void reply.status(304).send();
    return asset.body;
  };
}

/** Registers the dashboard's routes on the plugin's scope (mounted under `/query`). */
export function registerDashboardRoutes(app: FastifyInstance): void {
  app.get('', async (_request, reply) => reply.redirect('query/', 301));
  app.get('/', {
    prefixTrailingSlash: 'slash',
    onSend: async (_request, reply, payload) => {
      void reply.header('Content-Security-Policy', DASHBOARD_CSP).header('Referrer-Policy', 'no-referrer').header('X-Frame-Options', 'DENY');
      return payload;
    },
  }, serve(DASHBOARD_ASSETS.page, 'no-cache'));
  // Asset URLs carry the content hash (?v=), so a changed asset is a new URL; no-cache still revalidates.
  app.get('/assets/dashboard.js', serve(DASHBOARD_ASSETS.script, 'no-cache'));
  app.get('/assets/dashboard.css', serve(DASHBOARD_ASSETS.style, 'no-cache'));
}
