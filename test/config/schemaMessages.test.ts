/**
 * What `hearth check` says about values of the wrong kind: secrets never quoted, the real limits
 * named, a repeated list item pointed at where it repeats.
 */
import { describe, expect, it } from 'vitest';
import { load } from './helpers.js';

const HASH = `sha256:${'0'.repeat(64)}`;

describe('a secret written wrongly', () => {
  it('is never quoted, whatever kind of value it is', async () => {
    const { problems } = await load(`
hosts:
  services:
    metrics: { token: 31337424242 }
    analytics: { engine: clickhouse, clickhouse: { url: "http://127.0.0.1:8123", password: 987654321 } }
    storage: { engine: s3, s3: { bucket: bucket, accessKeyId: 12345, secretAccessKey: "" } }
    plugins:
      monitoring:
        receivers:
          - name: ops
            webhook_configs: [{ url: 987654321 }, { url: "ftp://hook-5f1e-secret" }]
`);
    expect(problems).toEqual([
      'hosts.yaml:4:16 hosts.services.metrics.token: must be a string, got a number [HEARTH_ERR_CONFIG_SCHEMA]',
      'hosts.yaml:5:82 hosts.services.analytics.clickhouse.password: must be a string, got a number [HEARTH_ERR_CONFIG_SCHEMA]',
      'hosts.yaml:6:50 hosts.services.storage.s3.accessKeyId: must be a string, got a number [HEARTH_ERR_CONFIG_SCHEMA]',
      'hosts.yaml:6:70 hosts.services.storage.s3.secretAccessKey: must not be empty [HEARTH_ERR_CONFIG_SCHEMA]',
      "hosts.yaml:11:33 hosts.services.plugins.monitoring.receivers[0].webhook_configs[0].url: must be a string, got a number (plugin 'monitoring') [HEARTH_ERR_CONFIG_SCHEMA]",
      "hosts.yaml:11:53 hosts.services.plugins.monitoring.receivers[0].webhook_configs[1].url: <secret> is not valid here: must match ^https?:// (plugin 'monitoring') [HEARTH_ERR_CONFIG_SCHEMA]",
    ]);
    for (const value of ['31337424242', '987654321', '12345', 'hook-5f1e-secret']) expect(problems.join('\n')).not.toContain(value);
  });

  it('from a stage or from defaults is not quoted either', async () => {
    const { problems } = await load(`
defaults:
  metrics: { token: 4242424242 }
hosts:
  services: {}
stages:
  staging:
    hosts:
      services:
        analytics: { clickhouse: { url: "http://127.0.0.1:8123", password: 8675309 } }
`, { stage: 'staging' });
    expect(problems.join('\n')).toContain('defaults');
    expect(problems.join('\n')).not.toMatch(/4242424242|8675309/);
  });
});

describe('a value that is too short', () => {
  it('names the real minimum, not "must not be empty"', async () => {
    const { problems } = await load(`
hosts:
  services:
    storage: { engine: s3, s3: { bucket: bk } }
  other:
    port: 8081
    storage: { engine: s3, s3: { bucket: "" } }
`);
    expect(problems).toEqual([
      "hosts.yaml:4:34 hosts.services.storage.s3.bucket: 'bk' is too short: at least 3 characters [HEARTH_ERR_CONFIG_SCHEMA]",
      'hosts.yaml:7:34 hosts.other.storage.s3.bucket: must not be empty: at least 3 characters [HEARTH_ERR_CONFIG_SCHEMA]',
    ]);
  });
});

describe('a list that repeats an item', () => {
  it('points at the repeat and names it', async () => {
    const { problems } = await load(`
hosts:
  services: {}
sites:
  example.com: {}
tokens:
  ci: { hash: "${HASH}", sites: [example.com, example.com], scopes: [read, push, read] }
`);
    expect(problems).toEqual([
      "hosts.yaml:7:111 tokens.ci.sites[1]: 'example.com' is listed twice (items 0 and 1); keep one [HEARTH_ERR_CONFIG_SCHEMA]",
      "hosts.yaml:7:146 tokens.ci.scopes[2]: 'read' is listed twice (items 0 and 2); keep one [HEARTH_ERR_CONFIG_SCHEMA]",
    ]);
  });
});
