import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodePktLine, FLUSH_PKT } from '../../plugins/git/protocol/pktLine.js';
import { ZERO_OID } from '../../plugins/git/protocol/refName.js';
import { bootGitHost, tokensYaml, TOKENS, type GitHost } from './gitHost.js';
import { git, rawTree, runGit, WorkTree } from './gitCli.js';

const YAML = `
hosts:
  services:
    port: 0
    log: { level: warn }
    plugins:
      git:
        maxPackBytes: 1048576
sites:
  strict.example:
    git: { maxFileBytes: 4096 }
  other.example: {}
${tokensYaml(['strict.example'])}
`;

let host: GitHost;
let work: WorkTree;
/** The commit the server's main points to, and the live files it deployed. */
let deployed: string;
let live: Record<string, string> | undefined;

beforeAll(async () => {
  host = await bootGitHost(YAML);
  work = await WorkTree.create();
  await work.write({ 'index.html': 'live page\n' });
  deployed = await work.commit('live');
  const push = await work.run(['push', host.url('strict.example'), 'main']);
  if (push.code !== 0) throw new Error(push.stderr);
  live = await host.liveFiles('strict.example');
});

beforeEach(async () => {
  await git(['reset', '-q', '--hard', deployed], { cwd: work.dir });
});

afterAll(async () => {
  await host?.booted.dispose();
  await work?.dispose();
});

/** The branch as the server has it, and the live page: neither may move after a refused push. */
async function expectNothingChanged(): Promise<void> {
  expect((await runGit(['ls-remote', host.url('strict.example'), 'refs/heads/main'])).stdout).toContain(deployed);
  expect(await host.liveFiles('strict.example')).toEqual(live);
  expect(await readdir(join(host.git.sites.repoDir('strict.example'), 'quarantine'))).toEqual([]);
}

/** Commits a hand-made tree on top of the deployed commit (main moves locally only). */
async function commitRawTree(entries: { mode: string; name: string; oid: string }[]): Promise<void> {
  const tree = await work.writeRawObject('tree', rawTree(entries));
  await work.commitTree(tree, 'hand-made tree');
}

function basic(token: string): string {
  return `Basic ${Buffer.from(`git:${token}`).toString('base64')}`;
}

describe('who may push', () => {
  it('a wrong token is refused and git reports an authentication failure', async () => {
    const push = await work.run(['push', host.url('strict.example', 'hth_wrong'), 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('Authentication failed');
  });

  it('no token at all gets 401 with a Basic challenge, so git asks for credentials', async () => {
    const response = await fetch(`${host.url('strict.example', null)}/info/refs?service=git-receive-pack`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="hearth"');
    const push = await work.run(['push', host.url('strict.example', null), 'main']);
    expect(push.stderr).toMatch(/could not read Username|Authentication failed/);
  });

  it('a token for another site gets 403', async () => {
    const push = await work.run(['push', host.url('strict.example', TOKENS.otherSite), 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('403');
  });

  it('an unknown site is not found', async () => {
    const push = await work.run(['push', host.url('unknown.example'), 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/repository '.*unknown\.example\.git\/' not found/);
  });
});

describe('trees that are never deployed', () => {
  let blob: string;
  beforeAll(async () => {
    blob = await git(['hash-object', '-w', '--stdin'], { cwd: work.dir, input: 'content\n' });
  });

  for (const name of ['..', '.git', 'a/b']) {
    it(`an entry named ${JSON.stringify(name)} rejects the push with a clear message`, async () => {
      await commitRawTree([{ mode: '100644', name: 'index.html', oid: blob }, { mode: '100644', name, oid: blob }]);
      const push = await work.run(['push', host.url('strict.example'), 'main']);
      expect(push.code).not.toBe(0);
      expect(push.stderr).toContain(`remote: error: ${JSON.stringify(name)} has`);
      expect(push.stderr).toContain('! [remote rejected] main -> main');
      await expectNothingChanged();
    });
  }

  it('a symlink rejects the push and is never followed', async () => {
    const target = await git(['hash-object', '-w', '--stdin'], { cwd: work.dir, input: '/etc/passwd' });
    await commitRawTree([{ mode: '100644', name: 'index.html', oid: blob }, { mode: '120000', name: 'secrets', oid: target }]);
    const push = await work.run(['push', host.url('strict.example'), 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('"secrets" is a symlink');
    await expectNothingChanged();
  });

  it('a file over the site’s size limit rejects the push', async () => {
    await work.write({ 'huge.txt': 'x'.repeat(5000) });
    await work.commit('too big');
    const push = await work.run(['push', host.url('strict.example'), 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('"huge.txt" is 5000 bytes, over the site\'s limit of 4096');
    await expectNothingChanged();
  });

  it('a submodule is skipped with a warning and the rest deploys', async () => {
    await commitRawTree([{ mode: '100644', name: 'index.html', oid: blob }, { mode: '160000', name: 'theme', oid: deployed }]);
    const push = await work.run(['push', host.url('strict.example'), 'main']);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain('remote: warning: submodule "theme" is skipped');
    expect(await host.liveFiles('strict.example')).toEqual({ 'index.html': 'content\n' });
    deployed = await work.head();
    live = await host.liveFiles('strict.example');
  });
});

describe('hostile or broken requests', () => {
  it('a pack over maxPackBytes is refused with the limit in git’s output, and nothing is stored', async () => {
    const packsBefore = await readdir(join(host.git.sites.repoDir('strict.example'), 'objects', 'pack'));
    await work.write({ 'noise.bin': randomBytes(1_500_000) });
    await work.commit('noise');
    const push = await work.run(['push', host.url('strict.example'), 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('larger than the limit of 1048576 bytes (maxPackBytes)');
    expect(await readdir(join(host.git.sites.repoDir('strict.example'), 'objects', 'pack'))).toEqual(packsBefore);
    await expectNothingChanged();
  });

  async function receivePack(body: Buffer): Promise<Response> {
    return fetch(`${host.booted.url}/git/strict.example.git/git-receive-pack`, {
      method: 'POST',
      headers: { authorization: basic(TOKENS.push), 'content-type': 'application/x-git-receive-pack-request' },
      body,
    });
  }

  function commands(newOid: string): Buffer {
    return Buffer.concat([encodePktLine(`${deployed} ${newOid} refs/heads/main\0report-status\n`), FLUSH_PKT]);
  }

  it('garbage where the pack should be is answered with an unpack error, and nothing moves', async () => {
    const garbage = Buffer.concat([Buffer.from('PACK\0\0\0\x02\0\0\0\x03', 'latin1'), randomBytes(200)]);
    const response = await receivePack(Buffer.concat([commands('1'.repeat(40)), garbage]));
    expect(response.status).toBe(200);
    const report = await response.text();
    expect(report).toContain('unpack the pack checksum does not match its content');
    expect(report).toContain('ng refs/heads/main unpacker error');
    await expectNothingChanged();
  });

  it('a truncated pack is refused the same way', async () => {
    await work.write({ 'more.html': 'more\n' });
    const next = await work.commit('more');
    const pack = await work.pack([next, `^${deployed}`]);
    const response = await receivePack(Buffer.concat([commands(next), pack.subarray(0, pack.length - 30)]));
    expect(await response.text()).toContain('truncated or corrupted');
    await expectNothingChanged();
  });

  it('a pkt-line with a lying length is refused with 400 before anything is read further', async () => {
    const response = await receivePack(Buffer.from(`00ff${ZERO_OID} ${'1'.repeat(40)} refs/heads/main\n`));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'HEARTH_ERR_GIT_PROTOCOL' } });
    const impossible = await receivePack(Buffer.from('0002'));
    expect(impossible.status).toBe(400);
    await expectNothingChanged();
  });

  it('a gzip-compressed fetch request is understood', async () => {
    const body = gzipSync(Buffer.concat([encodePktLine(`want ${deployed} side-band-64k\n`), FLUSH_PKT, encodePktLine('done\n')]));
    const response = await fetch(`${host.booted.url}/git/strict.example.git/git-upload-pack`, {
      method: 'POST',
      headers: { authorization: basic(TOKENS.read), 'content-type': 'application/x-git-upload-pack-request', 'content-encoding': 'gzip' },
      body,
    });
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 8).toString()).toBe('0008NAK\n');
    expect(bytes.includes(Buffer.from('PACK'))).toBe(true);
  });

  it('a fetch that wants an object no ref points to is refused', async () => {
    const body = Buffer.concat([encodePktLine(`want ${'1'.repeat(40)}\n`), FLUSH_PKT, encodePktLine('done\n')]);
    const response = await fetch(`${host.booted.url}/git/strict.example.git/git-upload-pack`, {
      method: 'POST',
      headers: { authorization: basic(TOKENS.read), 'content-type': 'application/x-git-upload-pack-request' },
      body,
    });
    expect(await response.text()).toContain('ERR upload-pack: not our ref');
  });
});
