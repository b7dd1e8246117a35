import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { runCli, startCli } from '../helpers/runCli.js';

// Values that must never be printed: they reach the host only through the environment.
const SECRETS = {
  METRICS_TOKEN: 'metrics-6b1f0c9e-never-print',
  S3_SECRET: 's3secret-0f1e2d3c-never-print',
  CH_PASSWORD: 'chpass-9a8b7c6d-never-print',
};

async function fileUsingSecrets(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-secrets-'));
  const file = join(dir, 'hosts.yaml');
  await writeFile(
    file,
    `defaults:
  metrics:
    token: \${METRICS_TOKEN}
hosts:
  services:
    port: 0
    log: { level: trace }
    storage:
      engine: fs
    analytics:
      engine: clickhouse
      clickhouse: { url: "http://127.0.0.1:1", password: "\${CH_PASSWORD}" }
  offsite:
    port: 0
    storage:
      engine: s3
      s3: { bucket: hearth-x, endpoint: "http://127.0.0.1:1", accessKeyId: AKIATEST, secretAccessKey: "\${S3_SECRET}" }
`,
  );
  return file;
}

function expectNoSecret(text: string): void {
  for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
}

describe('secrets from the environment', () => {
  it('never appear in hearth check output, text or JSON', async () => {
    const file = await fileUsingSecrets();
    const text = await runCli(['check', '-f', file], { env: SECRETS });
    expect(text.code).toBe(0);
    const json = await runCli(['check', '--json', '-f', file], { env: SECRETS });
    expect(json.code).toBe(0);
    expectNoSecret(text.stdout + text.stderr + json.stdout + json.stderr);
  });

  it('never appear in the logs of a running host, even at trace level', async () => {
    const file = await fileUsingSecrets();
    const running = await startCli(['start', 'services', '-f', file], /services ready at (http:\/\/\S+)/, { env: SECRETS });
    const url = /ready at (http:\/\/\S+)/.exec(running.output.stderr)![1]!;
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${SECRETS.METRICS_TOKEN}` } });
    await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } });
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.output.stdout).toContain('host ready');
    expectNoSecret(running.output.stdout + running.output.stderr);
  });

  it('print as <secret> however a plugin prints the config', async () => {
    const { loadHostFile } = await import('../../core/config/loadHostFile.js');
    const config = await loadHostFile({ file: await fileUsingSecrets(), env: SECRETS });
    const printed = [JSON.stringify(config), inspect(config, { depth: 20 }), String(config.hosts.services!.metrics.token), `${config.hosts.offsite!.storage.s3!.secretAccessKey}`];
    for (const text of printed) expectNoSecret(text);
    expect(printed[0]).toContain('<secret>');
    expect(config.hosts.offsite!.storage.s3!.secretAccessKey!.reveal()).toBe(SECRETS.S3_SECRET);
  });
});
