import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootGitHost, tokensYaml, type GitHost } from './gitHost.js';
import { git, runGit, WorkTree } from './gitCli.js';
import { s3Env, s3StorageYaml, suitePrefix } from '../helpers/s3HostStorage.js';

let host: GitHost;
let work: WorkTree;

beforeAll(async () => {
  // A prefix of its own, so this suite never meets another's keys in the shared bucket.
  const prefix = suitePrefix('git-suite');
  host = await bootGitHost(
    `
hosts:
  services:
    port: 0
    log: { level: warn }
${s3StorageYaml(prefix)}
    plugins:
      git: { releasesKept: 2 }
sites:
  bucket.example: {}
  other.example: {}
${tokensYaml(['bucket.example'])}
`,
    { env: s3Env() },
  );
  work = await WorkTree.create();
});

afterAll(async () => {
  await host?.booted.dispose();
  await work?.dispose();
});

describe('git push to a host whose storage is an S3 bucket', () => {
  it('a first push deploys every file to the bucket', async () => {
    expect(host.storage.engine).toBe('s3');
    await work.write({ 'index.html': 'home\n', 'img/logo.svg': '<svg/>\n', 'gone.html': 'soon gone\n' });
    await work.commit('first');
    const push = await work.run(['push', host.url('bucket.example'), 'main']);
    expect(push.code, push.stderr).toBe(0);
    expect(await host.liveFiles('bucket.example')).toEqual({ 'index.html': 'home\n', 'img/logo.svg': '<svg/>\n', 'gone.html': 'soon gone\n' });
  });

  it('a change uploads only what changed; a removed file leaves the live release', async () => {
    await work.write({ 'index.html': 'home v2\n', 'gone.html': null });
    await work.commit('second');
    const push = await work.run(['push', host.url('bucket.example'), 'main']);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain('2 files, 1 uploaded');
    expect(await host.liveFiles('bucket.example')).toEqual({ 'index.html': 'home v2\n', 'img/logo.svg': '<svg/>\n' });
  });

  it('a rollback brings the removed file back', async () => {
    await host.git.rollback('bucket.example');
    expect((await host.liveFiles('bucket.example'))?.['gone.html']).toBe('soon gone\n');
  });

  it('a clone gives back the pushed commit', async () => {
    const listed = await runGit(['ls-remote', host.url('bucket.example'), 'refs/heads/main']);
    expect(listed.stdout.split('\t')[0]).toBe(await git(['rev-parse', 'HEAD'], { cwd: work.dir }));
  });
});
