import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHostFile } from '../../core/config/loadHostFile.js';
import { ConfigError, formatProblem } from '../../core/config/problems.js';
import { Secret } from '../../core/config/secret.js';

const fixtures = fileURLToPath(new URL('../fixtures/config/', import.meta.url));

async function problemsOf(file: string, options: { stage?: string; env?: Record<string, string> } = {}): Promise<string[]> {
  try {
    await loadHostFile({ file: join(fixtures, file), env: options.env ?? {}, ...(options.stage ? { stage: options.stage } : {}) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => formatProblem(p, fixtures));
  }
  throw new Error(`${file} loaded without problems`);
}

async function writeHostFile(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-hostfile-'));
  const file = join(dir, 'hosts.yaml');
  await writeFile(file, yaml);
  return file;
}

describe('a host file with mistakes', () => {
  // Like Prometheus' testdata: each bad file maps to exactly the messages a self-hoster sees.
  const cases: Record<string, string[]> = {
    'many-mistakes.bad.yaml': [
      'many-mistakes.bad.yaml:6:5 hosts.services.port: 80800 is out of range: must be <= 65535 [HEARTH_ERR_CONFIG_SCHEMA]',
      "many-mistakes.bad.yaml:7:5 hosts.services.listne: unknown key 'listne'; did you mean 'listen'? [HEARTH_ERR_CONFIG_SCHEMA]",
      "many-mistakes.bad.yaml:9:7 hosts.services.plugins.gti: plugin 'gti': not a built-in plugin, a path, or an installed npm package",
      "many-mistakes.bad.yaml:13:7 hosts.monitoring.log.level: 'loud' is not one of: fatal, error, warn, info, debug, trace, silent [HEARTH_ERR_CONFIG_SCHEMA]",
      "many-mistakes.bad.yaml:20:13 tokens.ci.sites[0]: token 'ci' names site 'exmaple.com', which is not under sites; did you mean 'example.com'? [HEARTH_ERR_CONFIG_SITE_UNKNOWN]",
    ],
    'missing-env.bad.yaml': [
      'missing-env.bad.yaml:4:7 hosts.services.metrics.token: environment variable HEARTH_TEST_UNSET_TOKEN is not set; export it, or write ${HEARTH_TEST_UNSET_TOKEN:-default} [HEARTH_ERR_CONFIG_ENV_MISSING]',
      'missing-env.bad.yaml:8:9 hosts.services.storage.s3.bucket: environment variable HEARTH_TEST_UNSET_BUCKET is not set; export it, or write ${HEARTH_TEST_UNSET_BUCKET:-default} [HEARTH_ERR_CONFIG_ENV_MISSING]',
    ],
    'yaml-syntax.bad.yaml': ['yaml-syntax.bad.yaml:4:1 (top level): All mapping items must start at the same column'],
    'port-conflict.bad.yaml': [
      'port-conflict.bad.yaml:5:5 hosts.monitoring.port: tcp port 8080 (hosts.monitoring.port) is already used by hosts.services.port on 127.0.0.1; give one of them another port [HEARTH_ERR_CONFIG_PORT_CONFLICT]',
    ],
    's3-without-settings.bad.yaml': [
      "s3-without-settings.bad.yaml:2:3 hosts.services.storage: storage.engine is 's3' but storage.s3 (bucket, region, ...) is missing [HEARTH_ERR_CONFIG_STORAGE]",
      "s3-without-settings.bad.yaml:10:7 hosts.half.storage.s3: storage.s3 sets only one of accessKeyId and secretAccessKey: set both, or neither to use the environment's credentials [HEARTH_ERR_CONFIG_STORAGE]",
    ],
  };
  for (const [file, expected] of Object.entries(cases)) {
    it(`${file} reports every problem at once, with file:line:column`, async () => {
      const problems = await problemsOf(file);
      expect(problems).toHaveLength(expected.length);
      expected.forEach((line, index) => expect(problems[index]).toContain(line));
    });
  }

  it('names a missing host file and how to point at one', async () => {
    await expect(loadHostFile({ file: join(fixtures, 'nope.yaml'), env: {} })).rejects.toMatchObject({
      code: 'HEARTH_ERR_CONFIG_NOT_FOUND',
      message: expect.stringContaining('pass -f FILE, set HEARTH_FILE'),
    });
  });

  it('suggests the stage meant when --stage has a typo', async () => {
    const problems = await problemsOf('stages.yaml', { stage: 'stagign' });
    expect(problems).toEqual([expect.stringContaining("no stage 'stagign' (did you mean 'staging'?)")]);
  });
});

describe('interpolation', () => {
  it('fills ${VAR} and ${VAR:-default}, keeps $${ literal, and wraps secrets', async () => {
    const file = await writeHostFile(`
hosts:
  services:
    address: \${HEARTH_ADDR:-192.0.2.7}
    dataDir: \${DATA}/hearth
    metrics:
      token: \${METRICS_TOKEN}
sites:
  example.com:
    aliases: []
tokens: {}
`);
    const config = await loadHostFile({ file, env: { DATA: '/srv', METRICS_TOKEN: 'tok-123' } });
    const host = config.hosts.services!;
    expect(host.address).toBe('192.0.2.7');
    expect(host.dataDir).toBe('/srv/hearth/production/services');
    expect(host.metrics.token).toBeInstanceOf(Secret);
    expect(host.metrics.token?.reveal()).toBe('tok-123');
    expect(JSON.stringify(host)).not.toContain('tok-123');
    expect(String(host.metrics.token)).toBe('<secret>');
  });

  it('reads a whole ${VAR} as the number or boolean the key asks for, and nothing else', async () => {
    const file = await writeHostFile(`
defaults:
  port: \${PORT}
hosts:
  services:
    address: \${ADDRESS}
    http:
      bodyLimit: \${LIMIT}
`);
    const config = await loadHostFile({ file, env: { PORT: '9090', ADDRESS: '10', LIMIT: '2048' } });
    expect(config.hosts.services!.port).toBe(9090);
    expect(config.hosts.services!.http.bodyLimit).toBe(2048);
    // a string key keeps the string, even when it looks like a number
    expect(config.hosts.services!.address).toBe('10');
    await expect(loadHostFile({ file, env: { PORT: '90x', ADDRESS: 'a', LIMIT: '1' } })).rejects.toThrow(/defaults\.port: must be a whole number, got string '90x'/);
    // only a value that is one whole reference is read as a number
    const partial = await writeHostFile('hosts:\n  services:\n    port: 80\${DIGIT}\n');
    await expect(loadHostFile({ file: partial, env: { DIGIT: '8' } })).rejects.toThrow(/must be a whole number, got string '808'/);
  });

  it('writes a literal ${ for $${', async () => {
    const file = await writeHostFile('hosts:\n  services:\n    address: "$${NOT_A_VAR}"\n');
    const config = await loadHostFile({ file, env: {} });
    expect(config.hosts.services!.address).toBe('${NOT_A_VAR}');
  });
});

describe('the resolved config', () => {
  it('applies defaults, resolves paths and is deep-frozen', async () => {
    const config = await loadHostFile({ file: join(fixtures, 'stages.yaml'), env: {} });
    const host = config.hosts.monitoring!;
    expect(host.http.bodyLimit).toBe(1_048_576);
    expect(host.log.level).toBe('info');
    expect(host.storage.s3?.region).toBe('us-east-1');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(host.storage.s3)).toBe(true);
    expect(() => {
      (host as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('stages', () => {
  it('isolate data directories, storage prefixes, databases and ports by the stage name', async () => {
    const production = await loadHostFile({ file: join(fixtures, 'stages.yaml'), env: {} });
    const staging = await loadHostFile({ file: join(fixtures, 'stages.yaml'), stage: 'staging', env: {} });
    const prod = production.hosts.services!;
    const stag = staging.hosts.services!;
    expect(prod.dataDir).toBe(join(fixtures, 'data/production/services'));
    expect(stag.dataDir).toBe(join(fixtures, 'data/staging/services'));
    expect(prod.storage.s3?.prefix).toBe('sites/production/');
    expect(stag.storage.s3?.prefix).toBe('sites/staging/');
    expect(prod.analytics.clickhouse?.database).toBe('hearth_production');
    expect(stag.analytics.clickhouse?.database).toBe('hearth_staging');
    expect([prod.port, stag.port]).toEqual([8080, 9080]);
    expect(staging.hosts.monitoring!.port).toBe(9081);
  });

  it('merge maps key by key, replace lists and scalars, and remove keys set to null', async () => {
    const staging = await loadHostFile({ file: join(fixtures, 'stages.yaml'), stage: 'staging', env: {} });
    // map merged: address replaced, listen kept from the file
    expect(staging.hosts.services!.address).toBe('10.0.0.2');
    expect(staging.hosts.services!.listen).toBe('0.0.0.0');
    // list replaced whole, never merged by index
    expect(staging.sites['example.com']!.aliases).toEqual(['staging.example.com']);
    // `~` removed the site
    expect(Object.keys(staging.sites)).toEqual(['example.com']);
    // a token's list replaced, its other keys kept
    expect(staging.tokens.ci).toMatchObject({ sites: ['*'], scopes: ['push'] });
  });
});
