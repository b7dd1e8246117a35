/**
 * The restore drill and the recovery from a lost data directory, as docs/operations.md tells a
 * self-hoster to run them, through the built `hearth` and the real git CLI: a site pushed, a
 * backup taken from the running host, production's snapshot restored into staging and served
 * there, then production's whole data directory (storage included) lost, restored, served again,
 * with its deploy history and rollback intact.
 */
import { access, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../core/services/tokens.js';
import { edgeGet } from '../edge/edgeClient.js';
import { WorkTree } from '../git/gitCli.js';
import { runCli, startCli, type RunningCli } from '../helpers/runCli.js';
import { waitFor } from '../intake/logSenders.js';
import { removeTempDirs, tempDir } from './backupFixture.js';

const PUSH_TOKEN = 'hth_site-restore-push';
const ADMIN_TOKEN = 'hth_site-restore-admin';
const env = { HEARTH_BACKUP_PASSPHRASE: 'the drill passphrase' };

let dir: string;
let file: string;
let site: WorkTree;
const running: RunningCli[] = [];

beforeAll(async () => {
  dir = await tempDir('hearth-site-restore-');
  file = join(dir, 'hosts.yaml');
  await writeFile(
    file,
    `
defaults: { dataDir: ./data, log: { level: info } }
hosts:
  services:
    port: 0
    plugins:
      git: {}
      edge: { port: 0 }
      intake: { listeners: [] }
      backup: { schedule: "off" }
sites:
  example.com: {}
tokens:
  pusher: { hash: "${hashToken(PUSH_TOKEN)}", sites: [example.com], scopes: [push] }
  ops: { hash: "${hashToken(ADMIN_TOKEN)}", sites: ["*"], scopes: [admin] }
stages:
  staging: { portOffset: 1000 }
`,
  );
  site = await WorkTree.create();
});

afterAll(async () => {
  for (const host of running) host.child.kill('SIGTERM');
  await Promise.all(running.map((host) => host.exited));
  await site?.dispose();
  await removeTempDirs();
});

/** A started host: its control URL and its edge's URL. */
interface Started {
  readonly cli: RunningCli;
  readonly url: string;
  readonly edge: string;
  stop(): Promise<void>;
}

async function start(stage = 'production'): Promise<Started> {
  const cli = await startCli(['start', 'services', '-f', file, '--stage', stage], /services ready at (http:\/\/\S+)/, { env });
  running.push(cli);
  const url = /services ready at (http:\/\/\S+)/.exec(cli.output.stderr)![1]!;
  const line = `${cli.output.stdout}\n${cli.output.stderr}`.split('\n').find((l) => l.includes('"edge listening"'));
  const edge = (JSON.parse(line!) as { url: string }).url;
  return {
    cli,
    url,
    edge,
    async stop() {
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      running.splice(running.indexOf(cli), 1);
    },
  };
}

async function page(host: Started): Promise<{ status: number; text: string }> {
  const response = await edgeGet(host.edge, 'example.com', '/');
  return { status: response.status, text: response.text };
}

function hearth(args: readonly string[], extra: Record<string, string> = {}) {
  return runCli([...args, '-f', file], { env: { ...env, ...extra }, timeoutMs: 60_000 });
}

async function push(host: Started): Promise<string> {
  const run = await site.run(['push', `${host.url.replace('http://', `http://git:${PUSH_TOKEN}@`)}/git/example.com.git`, 'main']);
  expect(run.code, run.stderr).toBe(0);
  return run.stderr;
}

describe('restoring a host brings its sites back', () => {
  let v1: string;
  let v2: string;

  it('backs up a running host with deployed sites (the host takes the snapshot itself)', async () => {
    const production = await start();
    await site.write({ 'index.html': '<h1>v1</h1>\n', 'about.html': 'about\n' });
    v1 = await site.commit('v1');
    expect(await push(production)).toContain('live: release 000001-');
    await site.write({ 'index.html': '<h1>v2</h1>\n' });
    v2 = await site.commit('v2');
    expect(await push(production)).toContain('live: release 000002-');
    expect(await page(production)).toEqual({ status: 200, text: '<h1>v2</h1>\n' });

    const refused = await hearth(['backup', 'run', 'services']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("needs a token with sites ['*'] and the 'admin' scope");
    const backup = await hearth(['backup', 'run', 'services'], { HEARTH_TOKEN: ADMIN_TOKEN });
    expect(backup.stderr).toBe('');
    expect(backup.stdout).toMatch(/^snapshot [0-9a-f]{8} of services \(production\): .* \(taken by the running host\)\n$/);
    await production.stop();
  });

  it("restores production's snapshot into an empty staging, which then serves the site and lists its deploys", async () => {
    const drill = await hearth(['restore', 'services', '--stage', 'staging', '--from-stage', 'production']);
    expect(drill.stderr).toBe('');
    expect(drill.code).toBe(0);
    // Nothing was there before: nothing is said to be kept aside, and no scratch space is left.
    expect(drill.stdout).not.toContain('previous state');
    expect(drill.stdout).toMatch(/plugin git: [1-9]\d* files/);
    const stagingDir = join(dir, 'data/staging/services');
    const entries = await readdir(stagingDir);
    expect(entries).toEqual(expect.arrayContaining(['git', 'storage']));
    expect(entries).not.toContain('.restore');
    expect(entries).not.toContain('.pre-restore');

    const staging = await start('staging');
    expect(await page(staging)).toEqual({ status: 200, text: '<h1>v2</h1>\n' });
    await staging.stop();
    const deploys = await hearth(['git', 'deploys', 'example.com', '--stage', 'staging']);
    expect(deploys.stdout).toContain(`*  ${v2.slice(0, 12)}`);
    expect(deploys.stdout).toContain(`   ${v1.slice(0, 12)}`);

    // A second drill replaces staging's state and keeps what it replaced, releases included.
    const again = await hearth(['restore', 'services', '--stage', 'staging', '--from-stage', 'production']);
    expect(again.code).toBe(0);
    const kept = /plugin git: .* \(previous state kept in (\S+)\)/.exec(again.stdout)?.[1];
    expect(kept).toBeDefined();
    await access(join(kept!, 'repos/example.com.git/HEAD'));
    await access(join(kept!, 'releases/example.com/live.json'));
  });

  it('brings a lost data directory back: the site is served, its history kept, and rollback works', async () => {
    await rm(join(dir, 'data/production'), { recursive: true });
    const restore = await hearth(['restore', 'services']);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);

    const production = await start();
    expect(await page(production)).toEqual({ status: 200, text: '<h1>v2</h1>\n' });
    expect(await push(production)).toContain('Everything up-to-date');
    const deploys = await hearth(['git', 'deploys', 'example.com']);
    expect(deploys.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(deploys.stdout).toContain(`*  ${v2.slice(0, 12)}`);

    const rollback = await hearth(['git', 'rollback', 'example.com']);
    expect(rollback.stderr).toBe('');
    expect(rollback.stdout).toContain(`live release is now ${v1.slice(0, 12)} (v1)`);
    await waitFor('the edge to serve the rolled-back release', async () => (await page(production)).text === '<h1>v1</h1>\n', 10_000, 100);

    // And the next push deploys on top of the restored history.
    await site.write({ 'index.html': '<h1>v3</h1>\n' });
    await site.commit('v3');
    expect(await push(production)).toContain('live: release 000003-');
    expect(await page(production)).toEqual({ status: 200, text: '<h1>v3</h1>\n' });
    await production.stop();
  });
});
