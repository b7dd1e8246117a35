/**
 * The edge plugin: serves every site of the host file (and its aliases) by Host header, from the
 * site's live release in storage — always one whole release per request — on a port of its own,
 * optionally over TLS, and writes one access-log record per request to the intake plugin
 * (in-process when the host runs it, else over TCP or UDP). See docs/plugins/edge.md.
 */
import { definePlugin } from '../../core/plugin/definition.js';
import { edgeConfigSchema, edgeSiteSchema } from './config.js';
import { edgeConfigProblems } from './configCheck.js';
import { edgeErrors } from './errors.js';
import { createEdgeRuntime, type EdgeInstance } from './edgeRuntime.js';

export type { EdgeInstance } from './edgeRuntime.js';

/** The releases the edge of this host serves. */
export interface ServedReleases {
  /**
   * Reads a site's live release again now, instead of within `revalidateMs`: a deploy made on this
   * host calls it before it reports the release live, so the next request gets the new release.
   * Never rejects: when storage cannot be read, the edge logs it and sees the release within
   * `revalidateMs`, and the deploy stands.
   */
  refresh(site: string): Promise<void>;
}

declare module '../../core/plugin/services.js' {
  interface HearthServices {
    /** The edge plugin of the same host, told of deploys so it serves them at once. */
    servedReleases: ServedReleases;
  }
}

/** The edge plugin's definition. */
export const edgePlugin = definePlugin({
  id: 'edge',
  description: 'serves deployed sites by Host header from their live release, and logs each request to intake',
  configSchema: edgeConfigSchema,
  siteSchema: edgeSiteSchema,
  needs: ['storage', 'tokens', 'metrics'],
  wants: ['ingest'],
  provides: ['servedReleases'],
  // Everything the edge holds (caches, the log queue) is rebuilt from storage or lost on purpose.
  state: { paths: [] },
  errors: edgeErrors,
  checkConfig: (ctx) => edgeConfigProblems(ctx.config, ctx.sites),
  setup(ctx): EdgeInstance {
    const edge = createEdgeRuntime(ctx);
    ctx.provide('servedReleases', {
      refresh: (site) =>
        edge.refresh(site).catch((error: unknown) => ctx.logger.warn({ site, err: error }, 'edge: the newly live release could not be read yet; it will be within revalidateMs')),
    });
    return edge;
  },
});

export default edgePlugin;
