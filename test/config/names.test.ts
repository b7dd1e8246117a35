/**
 * Names in the host file — hosts, sites, tokens, stages, and the named maps of plugins — are
 * checked like any value: a name that is not one is refused with what names look like, and no
 * host's data directory can climb out of the data root.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostDataDir } from '../../core/config/resolveHosts.js';
import { load } from './helpers.js';

const HASH = `sha256:${'0'.repeat(64)}`;

describe('names in the host file', () => {
  it('refuses host, site, token and stage names that are not names, saying what a name is', async () => {
    const { problems } = await load(`
hosts:
  Bad_Name: { port: 8081 }
  "../../escape": { port: 8082 }
  services: {}
sites:
  "../../evil": {}
  UPPER.com: {}
  example.com: {}
tokens:
  "Bad Token!": { hash: "${HASH}", sites: ["*"], scopes: [read] }
stages:
  "../up": {}
`);
    const host = "host names are lower-case letters, digits and '-', starting with a letter, at most 63 characters";
    const site = "site names are host names: lower-case letters, digits, '-' and '.', like example.com";
    expect(problems).toEqual([
      `hosts.yaml:3:3 hosts.Bad_Name: 'Bad_Name' is not a valid name here: ${host} [HEARTH_ERR_CONFIG_SCHEMA]`,
      `hosts.yaml:4:3 hosts["../../escape"]: '../../escape' is not a valid name here: ${host} [HEARTH_ERR_CONFIG_SCHEMA]`,
      expect.stringMatching(/^hosts\.yaml:4:3 hosts\["\.\.\/\.\.\/escape"\]: host '\.\.\/\.\.\/escape' under stage 'production' would keep its data outside .*\/data; /),
      `hosts.yaml:7:3 sites["../../evil"]: '../../evil' is not a valid name here: ${site} [HEARTH_ERR_CONFIG_SCHEMA]`,
      `hosts.yaml:8:3 sites["UPPER.com"]: 'UPPER.com' is not a valid name here: ${site} [HEARTH_ERR_CONFIG_SCHEMA]`,
      `hosts.yaml:11:3 tokens["Bad Token!"]: 'Bad Token!' is not a valid name here: token names are lower-case letters, digits and '-', starting with a letter, at most 63 characters [HEARTH_ERR_CONFIG_SCHEMA]`,
      `hosts.yaml:13:3 stages["../up"]: '../up' is not a valid name here: stage names are lower-case letters, digits and '-', starting with a letter, at most 31 characters [HEARTH_ERR_CONFIG_SCHEMA]`,
    ]);
  });

  it('refuses keys of plugins\u2019 named maps that are not names (response headers, label names)', async () => {
    const { problems } = await load(`
hosts:
  services:
    plugins:
      edge: { headers: { "Bad Header": x } }
      monitoring: { externalLabels: { "1st": x } }
`);
    expect(problems).toEqual([
      "hosts.yaml:5:26 hosts.services.plugins.edge.headers[\"Bad Header\"]: 'Bad Header' is not a valid name here: header names are letters, digits and !#$%&'*+.^_`|~- (plugin 'edge') [HEARTH_ERR_CONFIG_SCHEMA]",
      "hosts.yaml:6:39 hosts.services.plugins.monitoring.externalLabels.1st: '1st' is not a valid name here: label names are letters, digits and '_', not starting with a digit (plugin 'monitoring') [HEARTH_ERR_CONFIG_SCHEMA]",
    ]);
  });

  it('still takes every name the schema allows', async () => {
    const { problems, config } = await load(`
hosts:
  services-1: {}
sites:
  blog.example-2.org: { aliases: [www.blog.example-2.org] }
tokens:
  ci-deploy: { hash: "${HASH}", sites: [blog.example-2.org], scopes: [push] }
stages:
  staging-eu: {}
`, { stage: 'staging-eu' });
    expect(problems).toEqual([]);
    expect(config!.hosts['services-1']!.dataDir).toMatch(/\/data\/staging-eu\/services-1$/);
  });
});

describe('a host\u2019s data directory', () => {
  it('is <root>/<stage>/<host>', () => {
    expect(hostDataDir('/srv/hearth/data', 'production', 'services')).toBe('/srv/hearth/data/production/services');
  });

  it('is refused when a host or stage name would climb out of the data root, or is not one segment', () => {
    for (const [stage, host] of [
      ['production', '../../escape'],
      ['production', '..'],
      ['production', '.'],
      ['production', ''],
      ['production', 'a/b'],
      ['production', 'a\\b'],
      ['..', 'services'],
      ['../up', 'services'],
      ['production', join('/', 'etc')],
    ] as const) {
      expect(() => hostDataDir('/srv/hearth/data', stage, host), `${stage}/${host}`).toThrow(expect.objectContaining({ code: 'HEARTH_ERR_CONFIG_SCHEMA' }));
    }
  });
});
