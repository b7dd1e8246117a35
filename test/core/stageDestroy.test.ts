import { describe, expect, inject, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../helpers/runCli.js';
import { bootHost } from '../helpers/bootHost.js';

function hostFile(storage: string): string {
  return `hosts:
  services:
    port: 0
${storage}
sites:
  example.com: {}
stages:
  staging: {}
`;
}

/** Boots the host under a stage, writes one object into its storage, stops it; returns its data dir. */
async function leaveState(dir: string, yaml: string, stage: string, env: Record<string, string> = {}): Promise<string> {
  const booted = await bootHost(yaml, { dir, stage, env });
  await booted.host.container.cradle.storage.put('sites/example.com/index.html', `<h1>${stage}</h1>`);
  await booted.stop();
  return booted.host.config.dataDir;
}

describe('hearth stage destroy', () => {
  it("removes a stage's data directory and storage, and leaves production alone", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-destroy-'));
    const yaml = hostFile('    storage: { engine: fs }');
    const production = await leaveState(dir, yaml, 'production');
    const staging = await leaveState(dir, yaml, 'staging');
    expect(existsSync(staging)).toBe(true);

    const result = await runCli(['stage', 'destroy', 'staging', '--yes', '-f', join(dir, 'hosts.yaml')]);
    expect(result.stderr).toContain(`removed ${staging}`);
    expect(result.code).toBe(0);
    expect(existsSync(staging)).toBe(false);
    expect(existsSync(dirname(staging)), 'the empty stage directory').toBe(false);
    expect(existsSync(join(production, 'storage'))).toBe(true);
  });

  it("deletes the stage's S3 prefix and nothing else", async () => {
    const s3 = inject('s3');
    const dir = await mkdtemp(join(tmpdir(), 'hearth-destroy-'));
    const prefix = `destroy-${Date.now()}/`;
    const yaml = hostFile(
      `    storage:\n      engine: s3\n      s3: { bucket: ${s3.bucket}, endpoint: "${s3.endpoint}", region: ${s3.region}, forcePathStyle: true, prefix: ${prefix}, accessKeyId: "\${S3_KEY}", secretAccessKey: "\${S3_SECRET}" }`,
    );
    const env = { S3_KEY: s3.accessKeyId, S3_SECRET: s3.secretAccessKey };
    await leaveState(dir, yaml, 'production', env);
    await leaveState(dir, yaml, 'staging', env);

    const result = await runCli(['stage', 'destroy', 'staging', '--yes', '-f', join(dir, 'hosts.yaml')], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`removed 1 object(s) from s3://${s3.bucket}/${prefix}staging/`);
    const production = await bootHost(yaml, { dir, env });
    try {
      const left = [];
      for await (const object of production.host.container.cradle.storage.list('')) left.push(object.key);
      expect(left).toEqual(['sites/example.com/index.html']);
    } finally {
      await production.stop();
    }
  });

  it('asks for confirmation, and refuses production without --force-production', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-destroy-'));
    await writeFile(join(dir, 'hosts.yaml'), hostFile(''));
    const unconfirmed = await runCli(['stage', 'destroy', 'staging', '-f', join(dir, 'hosts.yaml')]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('pass --yes');
    const production = await runCli(['stage', 'destroy', 'production', '--yes', '-f', join(dir, 'hosts.yaml')]);
    expect(production.code).toBe(2);
    expect(production.stderr).toContain('--force-production');
  });
});
