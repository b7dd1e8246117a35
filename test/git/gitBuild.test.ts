import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootGitHost, tokensYaml, type GitHost } from './gitHost.js';
import { git, runGit, WorkTree } from './gitCli.js';

const YAML = `
hosts:
  services:
    port: 0
    log: { level: warn }
    plugins:
      git: {}
sites:
  build.example:
    git:
      build: { command: sh build.sh, output: public }
  slow.example:
    git:
      build: { command: sh slow.sh, output: public, timeoutMs: 1000 }
  other.example: {}
${tokensYaml(['build.example', 'slow.example'])}
`;

const BUILD_SH = `set -e
echo "compiling $(ls src | wc -l) pages"
if [ -f src/broken ]; then echo "syntax error in src/broken" >&2; exit 3; fi
mkdir -p public
cp src/*.html public/
env | cut -d= -f1 | sort > public/env.txt
[ -f src/link ] && ln -s /etc/passwd public/passwd
echo "done"
`;

/** Where the slow build writes the pid of the process it leaves in the background. */
const CHILD_PID_FILE = join(tmpdir(), `hearth-build-child-${process.pid}.pid`);
const SLOW_SH = `sleep 30 & echo $! > ${CHILD_PID_FILE}; echo "waiting forever"; sleep 30`;

let host: GitHost;
let work: WorkTree;
let base: string;

beforeAll(async () => {
  // Something secret in the host's environment, which a build must never see.
  process.env.HEARTH_TEST_BUILD_SECRET = 'do-not-leak';
  host = await bootGitHost(YAML);
  work = await WorkTree.create();
  await work.write({ 'build.sh': BUILD_SH, 'slow.sh': SLOW_SH, 'src/index.html': 'home\n', 'src/about.html': 'about\n' });
  base = await work.commit('site with a build');
});

afterAll(async () => {
  delete process.env.HEARTH_TEST_BUILD_SECRET;
  await host?.booted.dispose();
  await work?.dispose();
});

beforeEach(async () => {
  await git(['reset', '-q', '--hard', base], { cwd: work.dir });
});

describe('a site with a build', () => {
  it('deploys the build output, streaming the build’s output to the pusher', async () => {
    const push = await work.run(['push', host.url('build.example'), 'main']);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain('remote: building: sh build.sh');
    expect(push.stderr).toContain('remote: compiling 2 pages');
    expect(push.stderr).toContain('remote: done');
    const files = await host.liveFiles('build.example');
    expect(Object.keys(files ?? {}).sort()).toEqual(['about.html', 'env.txt', 'index.html']);
    expect(files?.['index.html']).toBe('home\n');
  });

  it('runs the build with PATH, HOME and LANG only, never the host’s environment', async () => {
    const variables = (await host.liveFiles('build.example'))?.['env.txt']?.trim().split('\n') ?? [];
    expect(variables).not.toContain('HEARTH_TEST_BUILD_SECRET');
    // What remains is what the shell itself adds (PWD, and OLDPWD/SHLVL for some shells).
    expect(variables.filter((name) => !['PWD', 'OLDPWD', 'SHLVL', '_'].includes(name))).toEqual(['HOME', 'LANG', 'PATH']);
  });

  it('a failing build rejects the push, shows its output, and changes nothing', async () => {
    const liveBefore = await host.liveFiles('build.example');
    await work.write({ 'src/broken': 'x', 'src/new.html': 'new\n' });
    await work.commit('breaks the build');
    const push = await work.run(['push', host.url('build.example'), 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: syntax error in src/broken');
    expect(push.stderr).toContain('remote: error: the build command exited with status 3');
    expect(push.stderr).toContain('! [remote rejected] main -> main (build failed)');
    expect(await host.liveFiles('build.example')).toEqual(liveBefore);
    expect((await runGit(['ls-remote', host.url('build.example'), 'refs/heads/main'])).stdout).toContain(base);
  });

  it('a symlink in the build output rejects the push instead of deploying what it points to', async () => {
    await work.write({ 'src/link': 'x' });
    await work.commit('links');
    const push = await work.run(['push', host.url('build.example'), 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('build output "passwd" is a symlink');
  });

  it('a build over its timeout is killed with everything it started, and the push is rejected', async () => {
    const started = Date.now();
    const push = await work.run(['push', host.url('slow.example'), 'main']);
    expect(push.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(push.stderr).toContain('remote: waiting forever');
    expect(push.stderr).toContain('timed out after 1000 ms');
    expect(await host.liveFiles('slow.example')).toBeUndefined();
    // The background sleep the build left is gone too: its process group was killed.
    const child = Number((await readFile(CHILD_PID_FILE, 'utf8')).trim());
    expect(await isRunning(child)).toBe(false);
    await rm(CHILD_PID_FILE, { force: true });
  });
});

/** True while a process runs (a zombie waiting for its reaper has already died). */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}
