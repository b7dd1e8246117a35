/**
 * The intake plugin: access logs in — Bunny CDN syslog over UDP/TCP, nginx and Caddy logs, HTTP
 * uploads, and records handed in by other plugins through the `ingest` service — validated,
 * enriched, spooled to disk and stored per site in the analytics store. See docs/plugins/intake.md.
 */
import { definePlugin } from '../../core/plugin/definition.js';
import { dumpAnalytics, loadAnalytics } from './analyticsState.js';
import { intakeConfigSchema, intakeSiteSchema } from './config.js';
import { intakeConfigProblems } from './configCheck.js';
import { intakeErrors } from './errors.js';
import type { IngestService } from './ingestService.js';
import { createIntakeRuntime, SPOOL_DIR, type IntakeInstance } from './intakeRuntime.js';

export type { IngestRecord, IngestResult, IngestService } from './ingestService.js';
export type { IntakeInstance } from './intakeRuntime.js';

declare module '../../core/plugin/services.js' {
  interface HearthServices {
    /** Hands access records to the intake plugin of the same host (validated, batched, stored). */
    ingest: IngestService;
  }
}

/** The intake plugin's definition. */
export const intakePlugin = definePlugin({
  id: 'intake',
  description: 'access logs in over syslog (UDP/TCP), HTTP and in-process: parsed, validated, spooled and stored per site',
  configSchema: intakeConfigSchema,
  siteSchema: intakeSiteSchema,
  needs: ['analytics', 'tokens', 'metrics', 'clock', 'scheduler'],
  provides: ['ingest'],
  // The spool holds accepted records not yet stored, the dump the records stored in an embedded
  // analytics database; the visitor salt is left out on purpose.
  state: { paths: [SPOOL_DIR], dump: dumpAnalytics, load: loadAnalytics },
  errors: intakeErrors,
  checkConfig: (ctx) => intakeConfigProblems(ctx.config, ctx.sites, (site) => ctx.file.sites[site] !== undefined),
  setup(ctx): IntakeInstance {
    const runtime = createIntakeRuntime(ctx);
    ctx.provide('ingest', runtime.ingest);
    return runtime;
  },
});
