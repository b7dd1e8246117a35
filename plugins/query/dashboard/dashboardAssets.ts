/**
 * The dashboard's assets, assembled once when the module loads: the script (the panel list as
 * JSON, then the drawing and API halves inside one strict-mode function), the style sheet and the
 * page, each with a content hash for ETags and cache busting. Nothing is fetched from elsewhere.
 */
import { createHash } from 'node:crypto';
import { BUCKET_OF_RANGE, DASHBOARD_PANELS } from './dashboardPanels.js';
import { DASHBOARD_CSS, dashboardHtml } from './dashboardPage.js';
import { DASHBOARD_RENDER_JS } from './dashboardRender.js';
import { DASHBOARD_APP_JS } from './dashboardScript.js';

/** One asset as served. */
export interface DashboardAsset {
  readonly body: string;
  readonly contentType: string;
  /** A strong ETag of the body. */
  readonly etag: string;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function asset(body: string, contentType: string): DashboardAsset {
  return { body, contentType, etag: `"${digest(body)}"` };
}

const script = [
  '(function () {',
  "'use strict';",
  `var PANELS = ${JSON.stringify(DASHBOARD_PANELS)};`,
  `var BUCKETS = ${JSON.stringify(BUCKET_OF_RANGE)};`,
  DASHBOARD_RENDER_JS,
  DASHBOARD_APP_JS,
  '})();',
  '',
].join('\n');

const version = digest(script + DASHBOARD_CSS).slice(0, 10);

/** The assets by path under `/query/`. */
export const DASHBOARD_ASSETS: Readonly<Record<'page' | 'script' | 'style', DashboardAsset>> = {
  page: asset(dashboardHtml(version), 'text/html; charset=utf-8'),
  script: asset(script, 'text/javascript; charset=utf-8'),
  style: asset(DASHBOARD_CSS, 'text/css; charset=utf-8'),
};

/**
 * The page's Content-Security-Policy: its own script and styles only, API calls to its own
 * origin, no framing. Data from visitors can never run as script.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
