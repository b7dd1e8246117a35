/**
 * The targets to scrape: the hosts of the host file the config names (their address and port as
 * resolved for the current stage, with the host's metrics token) and extra static URLs. Each has
 * the labels every sample of it gets: `job`, `instance` and, for hosts, `host`.
 */
import { Secret } from '../../../core/config/secret.js';
import type { HearthConfig } from '../../../core/config/types.js';
import { makeLabels, type Labels } from '../model/labels.js';

/** The job label of Hearth hosts. */
export const HOST_JOB = 'hearth';

/** One target. */
export interface TargetSpec {
  /** The host name, or the URL of a static target. */
  readonly name: string;
  readonly url: string;
  readonly labels: Labels;
  readonly token: Secret | undefined;
}

/** A static target as written in the config. */
export interface StaticTargetConfig {
  readonly url: string;
  readonly job?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly bearer_token?: string | Secret;
}

/** What the targets are built from. */
export interface TargetSources {
  /** Host names; undefined means every host of the file. */
  readonly hosts: readonly string[] | undefined;
  readonly staticTargets: readonly StaticTargetConfig[];
  readonly scheme: 'http' | 'https';
  readonly metricsPath: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Resolves the targets, collecting problems (unknown hosts, bad URLs) into `errors`. */
export function resolveTargets(file: HearthConfig, sources: TargetSources, errors: string[]): TargetSpec[] {
  const targets: TargetSpec[] = [];
  const names = sources.hosts ?? Object.keys(file.hosts);
  for (const name of names) {
    const host = file.hosts[name];
    if (!host) {
      errors.push(`targets: no host is named '${name}' in ${file.file} (have: ${Object.keys(file.hosts).join(', ')})`);
      continue;
    }
    const address = host.address.includes(':') && !host.address.startsWith('[') ? `[${host.address}]` : host.address;
    const instance = `${address}:${host.port}`;
    targets.push({
      name,
      url: `${sources.scheme}://${instance}${sources.metricsPath}`,
      labels: makeLabels({ job: HOST_JOB, instance, host: name }),
      token: host.metrics.token,
    });
  }
  sources.staticTargets.forEach((target, i) => {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      errors.push(`staticTargets[${i}].url: '${target.url}' is not a URL`);
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') errors.push(`staticTargets[${i}].url: only http and https targets can be scraped`);
    const extra = target.labels ?? {};
    for (const key of Object.keys(extra)) if (!LABEL_NAME.test(key) || key.startsWith('__')) errors.push(`staticTargets[${i}].labels: '${key}' is not a label name`);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    targets.push({
      name: target.url,
      url: target.url,
      labels: makeLabels({ ...extra, job: target.job ?? 'static', instance: `${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:${port}` }),
      token: target.bearer_token === undefined ? undefined : typeof target.bearer_token === 'string' ? new Secret(target.bearer_token) : target.bearer_token,
    });
  });
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target.url)) errors.push(`targets: '${target.url}' is listed twice`);
    seen.add(target.url);
  }
  return targets;
}
