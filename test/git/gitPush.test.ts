import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as fs from 'node:fs';
import isogit from 'isomorphic-git';
import isogitHttp from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRelease } from '../../core/services/releases/releaseReader.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { bootGitHost, tokensYaml, TOKENS, type GitHost } from './gitHost.js';
import { git, runGit, WorkTree } from './gitCli.js';

const SITES = ['example.com', 'force.example', 'race.example', 'iso.example'];
const YAML = `
hosts:
  services:
    port: 0
    log: { level: warn }
    plugins:
      git:
        releasesKept: 2
sites:
  example.com: {}
  force.example:
    git: { allowForcePush: true }
  race.example: {}
  iso.example: {}
  other.example: {}
${tokensYaml(SITES)}
`;

let host: GitHost;
let work: WorkTree;

beforeAll(async () => {
  host = await bootGitHost(YAML);
  work = await WorkTree.create();
});

afterAll(async () => {
  await host?.booted.dispose();
  await work?.dispose();
});

describe('git push deploys a site', () => {
  it('a first push deploys the commit’s files and says so', async () => {
    await work.write({ 'index.html': '<h1>Home</h1>\n', 'about.html': 'about\n', 'old.html': 'old page\n', 'css/site.css': 'body { margin: 0 }\n' });
    const commit = await work.commit('first version');
    const push = await work.run(['push', host.url('example.com'), 'main']);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain('* [new branch]      main -> main');
    expect(push.stderr).toMatch(/remote: live: release 000001-[0-9a-f]{12} — 4 files, 4 uploaded/);
    expect(await host.liveFiles('example.com')).toEqual({ 'index.html': '<h1>Home</h1>\n', 'about.html': 'about\n', 'old.html': 'old page\n', 'css/site.css': 'body { margin: 0 }\n' });
    const [release] = await host.releaseIds('example.com');
    expect(release).toBe(`000001-${commit}`);
  });

  it('a push that changes, removes and renames files uploads only the change and drops the gone files', async () => {
    await work.write({ 'index.html': '<h1>Home, again</h1>\n', 'old.html': null, 'about.html': null, 'about-us.html': 'about\n' });
    await work.commit('change, remove, rename');
    const push = await work.run(['push', host.url('example.com'), 'main']);
    expect(push.code, push.stderr).toBe(0);
    // The renamed file keeps its blob: only index.html's new content is uploaded.
    expect(push.stderr).toMatch(/3 files, 1 uploaded \(21 bytes in 1 bundles\)/);
    expect(await host.liveFiles('example.com')).toEqual({ 'index.html': '<h1>Home, again</h1>\n', 'about-us.html': 'about\n', 'css/site.css': 'body { margin: 0 }\n' });
  });

  it('storage keeps only what the kept releases use (releasesKept: 2)', async () => {
    const [, secondRelease] = await host.releaseIds('example.com');
    const homeAgain = (await readRelease(host.storage, 'example.com', secondRelease!))!.files['index.html']!.bundle;
    const pushChange = async (files: Record<string, string>, message: string): Promise<void> => {
      await work.write(files);
      await work.commit(message);
      expect((await work.run(['push', host.url('example.com'), 'main'])).code).toBe(0);
    };
    await pushChange({ 'css/site.css': 'body { margin: 1px }\n' }, 'third');
    await pushChange({ 'index.html': '<h1>Home, third time</h1>\n' }, 'fourth');
    // The third release still serves the second one's index.html from its bundle.
    expect(await host.bundleIds('example.com')).toContain(homeAgain);
    await pushChange({ 'extra.html': 'extra\n' }, 'fifth');
    expect(await host.releaseIds('example.com')).toHaveLength(2);
    expect(await host.bundleIds('example.com')).not.toContain(homeAgain);
    const used = new Set<string>();
    for (const id of await host.releaseIds('example.com')) {
      for (const bundle of Object.keys((await readRelease(host.storage, 'example.com', id))!.bundles)) used.add(bundle);
    }
    expect(await host.bundleIds('example.com')).toEqual([...used].sort());
  });

  it('a rollback restores the previous release’s files, and the next push deploys as usual', async () => {
    const result = await host.git.rollback('example.com');
    expect(result.to.subject).toBe('fourth');
    expect((await host.liveFiles('example.com'))?.['extra.html']).toBeUndefined();
    await work.write({ 'news.html': 'news\n' });
    await work.commit('after the rollback');
    expect((await work.run(['push', host.url('example.com'), 'main'])).code).toBe(0);
    expect(await host.liveFiles('example.com')).toMatchObject({ 'news.html': 'news\n', 'extra.html': 'extra\n' });
  });

  it('a clone gives back the same commit and files', async () => {
    const clone = join(work.dir, '..', `${work.dir.split('/').pop()}-clone`);
    const run = await runGit(['clone', '-q', host.url('example.com'), clone]);
    expect(run.code, run.stderr).toBe(0);
    try {
      expect(await git(['rev-parse', 'HEAD'], { cwd: clone })).toBe(await work.head());
      expect(await git(['status', '--porcelain'], { cwd: clone })).toBe('');
      await git(['fsck', '--strict'], { cwd: clone });
      expect(fs.readFileSync(join(clone, 'news.html'), 'utf8')).toBe('news\n');

      // A fetch after another push brings only what is new, through have/ack negotiation.
      await work.write({ 'index.html': '<h1>Fetched</h1>\n' });
      const next = await work.commit('for the fetch');
      expect((await work.run(['push', host.url('example.com'), 'main'])).code).toBe(0);
      const fetch = await runGit(['pull', '-q', '--ff-only'], { cwd: clone });
      expect(fetch.code, fetch.stderr).toBe(0);
      expect(await git(['rev-parse', 'HEAD'], { cwd: clone })).toBe(next);
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
  });

  it('an annotated tag is pushed, advertised peeled, and cloned back', async () => {
    await git(['tag', '-a', 'v1.0', '-m', 'first release'], { cwd: work.dir });
    const push = await work.run(['push', host.url('example.com'), 'v1.0']);
    expect(push.code, push.stderr).toBe(0);
    const listed = (await runGit(['ls-remote', host.url('example.com')])).stdout;
    expect(listed).toContain(`${await work.head()}\trefs/tags/v1.0^{}`);
    const clone = `${work.dir}-tagged`;
    try {
      expect((await runGit(['clone', '-q', host.url('example.com'), clone])).code).toBe(0);
      expect(await git(['tag', '-n1'], { cwd: clone })).toMatch(/^v1\.0\s+first release$/);
      await git(['fsck', '--strict'], { cwd: clone });
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
  });

  it('a read token may clone but not push', async () => {
    const listed = await runGit(['ls-remote', host.url('example.com', TOKENS.read)]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('refs/heads/main');
    const push = await work.run(['push', host.url('example.com', TOKENS.read), 'main:refs/heads/x']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('403');
  });
});

describe('refs', () => {
  it('a force-push is rejected on a site that does not allow it', async () => {
    const base = await work.head();
    await work.write({ 'index.html': 'rewritten\n' });
    await git(['commit', '-q', '--amend', '-am', 'rewritten history'], { cwd: work.dir });
    const push = await work.run(['push', '--force', host.url('example.com'), 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('! [remote rejected] main -> main (non-fast-forward');
    expect((await host.liveFiles('example.com'))?.['index.html']).toBe('<h1>Fetched</h1>\n');
    await git(['reset', '-q', '--hard', base], { cwd: work.dir });
  });

  it('a force-push is accepted and deployed where the site allows it', async () => {
    expect((await work.run(['push', host.url('force.example'), 'main'])).code).toBe(0);
    await work.write({ 'index.html': 'forced\n' });
    await git(['commit', '-q', '--amend', '-am', 'amended'], { cwd: work.dir });
    const push = await work.run(['push', '--force', host.url('force.example'), 'main']);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain('(forced update)');
    expect((await host.liveFiles('force.example'))?.['index.html']).toBe('forced\n');
  });

  it('a branch other than the deploy branch is stored, deletable, and deploys nothing', async () => {
    const before = await host.releaseIds('force.example');
    await work.write({ 'draft.html': 'draft\n' });
    await work.commit('draft');
    expect((await work.run(['push', host.url('force.example'), 'HEAD:refs/heads/draft'])).code).toBe(0);
    expect(await host.releaseIds('force.example')).toEqual(before);
    expect((await runGit(['ls-remote', host.url('force.example')])).stdout).toContain('refs/heads/draft');
    const removal = await work.run(['push', host.url('force.example'), '--delete', 'draft']);
    expect(removal.code, removal.stderr).toBe(0);
    expect(removal.stderr).toContain('[deleted]');
    expect((await runGit(['ls-remote', host.url('force.example')])).stdout).not.toContain('refs/heads/draft');
  });

  it('deleting the deploy branch is refused and the site stays live', async () => {
    const removal = await work.run(['push', host.url('force.example'), '--delete', 'main']);
    expect(removal.code).not.toBe(0);
    expect(removal.stderr).toContain('deleting the deploy branch is refused');
    expect(await host.liveFiles('force.example')).toBeDefined();
  });

  it('two concurrent pushes: one wins, the other is rejected cleanly, and readers never see a mix', async () => {
    const base = await WorkTree.create();
    const [left, right] = [await WorkTree.create(), await WorkTree.create()];
    try {
      await base.write({ 'a.html': 'base\n', 'b.html': 'base\n' });
      await base.commit('base');
      expect((await base.run(['push', host.url('race.example'), 'main'])).code).toBe(0);
      for (const [tree, mark] of [[left, 'left'], [right, 'right']] as const) {
        await tree.run(['pull', '-q', host.url('race.example'), 'main']);
        const files: Record<string, string> = {};
        for (let i = 0; i < 30; i++) files[`page-${i}.html`] = `${mark} ${i}\n`;
        await tree.write({ ...files, 'a.html': `${mark}\n`, 'b.html': `${mark}\n` });
        await tree.commit(mark);
      }
      let reading = true;
      const seen = new Set<string>();
      const reader = (async () => {
        while (reading) {
          const files = await host.liveFiles('race.example');
          const marks = new Set(Object.values(files ?? {}).map((content) => content.split(/[ \n]/)[0]));
          expect(marks.size, JSON.stringify(files)).toBe(1);
          seen.add([...marks][0]!);
        }
      })();
      const [l, r] = await Promise.all([left.run(['push', host.url('race.example'), 'main']), right.run(['push', host.url('race.example'), 'main'])]);
      reading = false;
      await reader;
      expect([l.code, r.code].sort()).toEqual([0, 1]);
      const loser = l.code === 0 ? r : l;
      expect(loser.stderr).toMatch(/! \[(remote )?rejected\]\s+main -> main \((fetch first|non-fast-forward)/);
      const winner = l.code === 0 ? 'left' : 'right';
      expect((await host.liveFiles('race.example'))?.['a.html']).toBe(`${winner}\n`);
      expect([...seen].every((mark) => mark === 'base' || mark === winner)).toBe(true);
    } finally {
      await Promise.all([base.dispose(), left.dispose(), right.dispose()]);
    }
  });
});

describe('other clients and the host around the plugin', () => {
  it('a push from isomorphic-git as a client deploys too', async () => {
    const result = await isogit.push({
      fs,
      http: isogitHttp,
      dir: work.dir,
      url: host.url('iso.example', null),
      ref: 'main',
      onAuth: () => ({ username: 'git', password: TOKENS.push }),
    });
    expect(result.ok).toBe(true);
    expect(result.refs['refs/heads/main']).toEqual({ ok: true, error: '' });
    expect((await host.liveFiles('iso.example'))?.['index.html']).toBe(fs.readFileSync(join(work.dir, 'index.html'), 'utf8'));
  });

  it('/metrics counts pushes, and the git families pass promtool without warnings', async () => {
    const exposition = await (await fetch(`${host.booted.url}/metrics`)).text();
    expect(exposition).toMatch(/hearth_git_pushes_total\{site="example.com",result="deployed"\} [1-9]/);
    expect(exposition).toMatch(/hearth_git_pushes_total\{site="example.com",result="rejected"\} [1-9]/);
    expect(exposition).toMatch(/hearth_git_uploaded_bytes_total\{site="example.com"\} [1-9]/);
    // The plugin's own families, judged alone: the host's other families are the core's to check.
    const ours = exposition.split('\n').filter((line) => /^(# (HELP|TYPE) )?hearth_git_/.test(line)).join('\n');
    expect(await promtoolCheckMetrics(`${ours}\n`)).toEqual({ code: 0, output: '' });
  });
});
