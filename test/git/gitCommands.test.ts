import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import { bootGitHost, tokensYaml, type GitHost } from './gitHost.js';
import { WorkTree } from './gitCli.js';
import { gitHostOf } from '../../plugins/git/cli/gitCommands.js';

const YAML = `
hosts:
  services:
    port: 0
    log: { level: warn }
    plugins:
      git: {}
sites:
  example.com: {}
  other.example: {}
${tokensYaml(['example.com'])}
`;

let host: GitHost;
let work: WorkTree;
let first: string;
let second: string;

/** Runs `hearth ARGS -f <the host's file>` in-process, as the installed command would. */
async function hearth(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (chunk: Buffer) => (outText += chunk.toString()));
  err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
  const code = await main([...args, '-f', join(host.booted.dir, 'hosts.yaml')], { out, err });
  process.exitCode = undefined;
  return { code, out: outText, err: errText };
}

beforeAll(async () => {
  host = await bootGitHost(YAML);
  work = await WorkTree.create();
  await work.write({ 'index.html': 'one\n' });
  first = await work.commit('first release');
  await work.run(['push', host.url('example.com'), 'main']);
  await work.write({ 'index.html': 'two\n' });
  second = await work.commit('second release');
  await work.run(['push', host.url('example.com'), 'main']);
});

afterAll(async () => {
  await host?.booted.dispose();
  await work?.dispose();
});

describe('hearth git deploys', () => {
  it('lists the kept releases, newest first, with the live one starred', async () => {
    const result = await hearth('git', 'deploys', 'example.com');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\*  ${second.slice(0, 12)}  .*1 files.*Ada Pusher:  second release$`));
    expect(lines[1]).toMatch(new RegExp(`^   ${first.slice(0, 12)}  `));
  });

  it('prints JSON with --json', async () => {
    const rows = JSON.parse((await hearth('git', 'deploys', 'example.com', '--json')).out) as { live: boolean; commit: string; files: number }[];
    expect(rows.map((row) => [row.commit, row.live, row.files])).toEqual([[second, true, 1], [first, false, 1]]);
  });

  it('names an unknown site with its error code', async () => {
    const result = await hearth('git', 'deploys', 'nope.example');
    expect(result.code).toBe(2);
    expect(result.err).toContain('[HEARTH_ERR_GIT_UNKNOWN_SITE]');
  });
});

describe('hearth git rollback', () => {
  it('goes back to the release before the live one', async () => {
    const result = await hearth('git', 'rollback', 'example.com');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(`live release is now ${first.slice(0, 12)} (first release), was ${second.slice(0, 12)}`);
    expect(await host.liveFiles('example.com')).toEqual({ 'index.html': 'one\n' });
  });

  it('goes to a named commit', async () => {
    const result = await hearth('git', 'rollback', 'example.com', second.slice(0, 7));
    expect(result.code, result.err).toBe(0);
    expect(await host.liveFiles('example.com')).toEqual({ 'index.html': 'two\n' });
  });

  it('refuses a commit that has no kept release, and changes nothing', async () => {
    const result = await hearth('git', 'rollback', 'example.com', 'deadbeef');
    expect(result.code).toBe(2);
    expect(result.err).toContain("no kept release of commit 'deadbeef'");
    expect(result.err).toContain('[HEARTH_ERR_GIT_NO_RELEASE]');
    expect(await host.liveFiles('example.com')).toEqual({ 'index.html': 'two\n' });
  });
});

describe('which host the commands use', () => {
  it('is the one host that runs git, or the one named with --host', () => {
    expect(gitHostOf(host.booted.config, undefined)).toBe('services');
    expect(gitHostOf(host.booted.config, 'services')).toBe('services');
    expect(() => gitHostOf(host.booted.config, 'monitoring')).toThrow(/host 'monitoring' does not run the git plugin \(hosts that do: services\)/);
  });
});
