/**
 * What the edge plugin checks in its config beyond the schema, without opening anything: trusted
 * proxies are CIDRs, `headers` (the plugin's and each site's) set no header the edge sets itself,
 * and the intake address to send logs to has a port. The runtime refuses the first two at setup
 * with the same functions.
 */
import type { PluginConfigProblem } from '../../core/plugin/definition.js';
import type { EdgeConfig, EdgeSiteConfig } from './config.js';
import { trustedProxyProblem } from './http/clientAddress.js';
import { splitAddress } from './logs/logSinks.js';
import { isReservedHeader } from './serve/securityHeaders.js';

const code = 'HEARTH_ERR_EDGE_CONFIG';

function reservedHeaders(headers: Readonly<Record<string, string>> | undefined, site?: string): PluginConfigProblem[] {
  return Object.keys(headers ?? {})
    .filter(isReservedHeader)
    .map((name) => ({ code, ...(site === undefined ? {} : { site }), path: ['headers', name], message: `'${name}' is set by the edge per response; remove it (use cacheControl rules for Cache-Control)` }));
}

/** Every problem of the config and of the sites' edge settings. */
export function edgeConfigProblems(config: EdgeConfig, sites: ReadonlyMap<string, unknown>): PluginConfigProblem[] {
  const problems: PluginConfigProblem[] = [];
  config.trustedProxies.forEach((cidr, index) => {
    const problem = trustedProxyProblem(cidr);
    if (problem) problems.push({ code, path: ['trustedProxies', index], message: problem });
  });
  problems.push(...reservedHeaders(config.headers));
  for (const [site, settings] of sites) problems.push(...reservedHeaders((settings as EdgeSiteConfig).headers, site));
  const intake = config.logs.intake;
  if (intake !== undefined) {
    const { port } = splitAddress(intake.address);
    if (!(port >= 1 && port <= 65535)) problems.push({ code, path: ['logs', 'intake', 'address'], message: `'${intake.address}' has no port from 1 to 65535; write host:port of an intake listener, e.g. 10.0.0.2:5514` });
  }
  return problems;
}
