import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHearthError } from '../../core/errors/HearthError.js';
import { BareRepo } from '../../plugins/git/repo/bareRepo.js';
import { ConnectivityCheck } from '../../plugins/git/repo/connectivity.js';
import { receivePack } from '../../plugins/git/repo/packIntake.js';
import { git, WorkTree } from './gitCli.js';
import '../../plugins/git/errors.js';

async function* chunked(buffer: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size);
}

let root: string;
let work: WorkTree;
let first: string;
let second: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hearth-intake-'));
  work = await WorkTree.create();
  await work.write({ 'index.html': '<h1>hello</h1>\n', 'css/site.css': 'body { color: red }\n'.repeat(50) });
  first = await work.commit('first');
  await work.write({ 'css/site.css': 'body { color: blue }\n'.repeat(50) + 'p {}\n', 'about.html': 'about\n' });
  second = await work.commit('second');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await work.dispose();
});

function limits(maxPackBytes: number, maxObjectBytes = 10_000_000) {
  return { maxPackBytes, maxObjectBytes };
}

async function freshRepo(name: string): Promise<BareRepo> {
  return BareRepo.open(join(root, `${name}.git`), 'main', true);
}

async function quarantines(repo: BareRepo): Promise<string[]> {
  return readdir(join(repo.gitdir, 'quarantine'));
}

describe('pack intake', () => {
  it('stores a pack from git in quarantine, indexes it, proves it complete, then adopts it', async () => {
    const repo = await freshRepo('complete');
    const pack = await receivePack(chunked(await work.pack([second])), repo.newQuarantineDir(), limits(10_000_000));
    expect(pack.objectCount).toBeGreaterThanOrEqual(8);
    const check = new ConnectivityCheck(repo.objects([pack.gitdir]));
    await check.checkTip(second, 'refs/heads/main');
    check.assertPackReached(pack.objectCount);
    await pack.adopt(repo.gitdir);
    await pack.discard();
    await repo.refs.write('refs/heads/main', second);
    expect(await quarantines(repo)).toEqual([]);
    // C git agrees the repository is complete and sound.
    await git(['fsck', '--strict', '--no-dangling'], { cwd: repo.gitdir });
    expect(await git(['rev-parse', 'main'], { cwd: repo.gitdir })).toBe(second);
  });

  it('refuses a truncated pack by its checksum and keeps nothing', async () => {
    const repo = await freshRepo('truncated');
    const bytes = await work.pack([second]);
    const attempt = receivePack(chunked(bytes.subarray(0, bytes.length - 7)), repo.newQuarantineDir(), limits(10_000_000));
    await expect(attempt).rejects.toSatisfy((error: unknown) => isHearthError(error, 'HEARTH_ERR_GIT_BAD_PACK') && /truncated or corrupted/.test((error as Error).message));
    expect(await quarantines(repo)).toEqual([]);
  });

  it('refuses garbage that is not a pack', async () => {
    const repo = await freshRepo('garbage');
    await expect(receivePack(chunked(Buffer.from('this is not a pack at all, just words')), repo.newQuarantineDir(), limits(10_000_000))).rejects.toThrow(/does not start with 'PACK'/);
    expect(await quarantines(repo)).toEqual([]);
  });

  it('refuses a pack whose content was corrupted after its checksum was made', async () => {
    const repo = await freshRepo('corrupt');
    const bytes = Buffer.from(await work.pack([second]));
    bytes[40] = (bytes[40] ?? 0) ^ 0xff;
    await expect(receivePack(chunked(bytes), repo.newQuarantineDir(), limits(10_000_000))).rejects.toThrow(/checksum/);
  });

  it('stops writing a pack at the size limit and keeps nothing', async () => {
    const repo = await freshRepo('limit');
    const bytes = await work.pack([second]);
    const attempt = receivePack(chunked(bytes, 100), repo.newQuarantineDir(), limits(500));
    await expect(attempt).rejects.toSatisfy((error: unknown) => isHearthError(error, 'HEARTH_ERR_GIT_PACK_TOO_LARGE') && /500 bytes/.test((error as Error).message));
    expect(await quarantines(repo)).toEqual([]);
  });

  it('refuses a thin pack whose delta bases are not in it', async () => {
    const repo = await freshRepo('thin');
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} of a long page\n`);
    const thinWork = await WorkTree.create();
    await thinWork.write({ 'page.html': lines.join('') });
    const base = await thinWork.commit('base');
    lines[1000] = 'a changed line\n';
    await thinWork.write({ 'page.html': lines.join('') });
    const tip = await thinWork.commit('change');
    const thin = await thinWork.pack([tip, `^${base}`], { thin: true });
    await thinWork.dispose();
    await expect(receivePack(chunked(thin), repo.newQuarantineDir(), limits(10_000_000))).rejects.toThrow(/could not be resolved: their delta base is not in the pack \(a thin pack\)/);
  });
});

/** A pack of blobs built by hand: `size` is what each header announces, `data` what is deflated. */
function handMadePack(objects: readonly { size: number; data: Buffer; raw?: Buffer }[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PACK'), Buffer.from([0, 0, 0, 2]), Buffer.alloc(4)];
  parts[2]!.writeUInt32BE(objects.length);
  for (const object of objects) {
    const header: number[] = [];
    let size = object.size;
    let byte = (3 << 4) | (size & 15);
    size = Math.floor(size / 16);
    while (size > 0) {
      header.push(byte | 0x80);
      byte = size & 0x7f;
      size = Math.floor(size / 128);
    }
    header.push(byte);
    parts.push(Buffer.from(header), object.raw ?? deflateSync(object.data));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

describe('packs that lie', () => {
  it('refuses a deflate bomb before inflating it', async () => {
    const repo = await freshRepo('bomb');
    const bomb = handMadePack([{ size: 50_000_000, data: Buffer.alloc(50_000_000) }]);
    expect(bomb.length).toBeLessThan(100_000);
    await expect(receivePack(chunked(bomb, 65536), repo.newQuarantineDir(), limits(1_000_000, 10_000_000))).rejects.toThrow(/announces 50000000 bytes, more than the 10000000/);
    expect(await quarantines(repo)).toEqual([]);
  });

  it('refuses an object whose header lies about its size', async () => {
    const repo = await freshRepo('lying-size');
    const lying = handMadePack([{ size: 100, data: Buffer.alloc(50, 1) }]);
    await expect(receivePack(chunked(lying), repo.newQuarantineDir(), limits(1_000_000))).rejects.toThrow(/inflates to 50 bytes, not the 100/);
  });

  it('refuses data that is not zlib, even under a valid checksum', async () => {
    const repo = await freshRepo('not-zlib');
    const broken = handMadePack([{ size: 10, data: Buffer.alloc(0), raw: Buffer.from('definitely not zlib data') }]);
    await expect(receivePack(chunked(broken), repo.newQuarantineDir(), limits(1_000_000))).rejects.toThrow(/not a valid zlib stream/);
  });
});

describe('reading objects back', () => {
  it('reads every object of a pack git made, deltas included, byte for byte', async () => {
    const history = await WorkTree.create();
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} of a long page\n`);
    for (let version = 0; version < 12; version++) {
      lines[version * 200] = `changed in version ${version}\n`;
      await history.write({ 'page.html': lines.join(''), [`v${version}.txt`]: `version ${version}\n`.repeat(100) });
      await history.commit(`version ${version}`);
    }
    // Aggressive delta compression, so most objects are deltas (ofs-delta) of each other.
    await git(['repack', '-adf', '--depth=50', '--window=50'], { cwd: history.dir });
    const repo = await freshRepo('deltas');
    const pack = await receivePack(chunked(await history.pack(['HEAD'])), repo.newQuarantineDir(), limits(50_000_000));
    const store = repo.objects([pack.gitdir]);
    const listed = (await git(['rev-list', '--objects', '--all'], { cwd: history.dir })).split('\n').map((line) => line.split(' ')[0]!);
    for (const oid of listed) {
      const object = await store.read(oid);
      const hash = createHash('sha1').update(`${object.type} ${object.content.length}\0`).update(object.content).digest('hex');
      expect(hash, oid).toBe(oid);
    }
    const idxName = (await readdir(join(pack.gitdir, 'objects', 'pack'))).find((name) => name.endsWith('.idx'))!;
    const ours = join(pack.gitdir, 'objects', 'pack', idxName);
    expect(await git(['verify-pack', '-v', ours])).toMatch(/chain length = [1-9]/);
    // C git's own index-pack writes the very same index for the same pack.
    const theirs = join(root, 'cgit.idx');
    await git(['index-pack', '-o', theirs, ours.replace(/\.idx$/, '.pack')]);
    expect((await readFile(ours)).equals(await readFile(theirs))).toBe(true);
    await pack.discard();
    await history.dispose();
  });
});

describe('connectivity of pushed tips', () => {
  it('finds a commit whose tree did not come with the pack', async () => {
    const repo = await freshRepo('missing-tree');
    const pack = await receivePack(chunked(await work.packObjects([first])), repo.newQuarantineDir(), limits(10_000_000));
    const check = new ConnectivityCheck(repo.objects([pack.gitdir]));
    await expect(check.checkTip(first, 'refs/heads/main')).rejects.toSatisfy(
      (error: unknown) => isHearthError(error, 'HEARTH_ERR_GIT_MISSING_OBJECTS') && /tree [0-9a-f]{40} \(referred to by commit/.test((error as Error).message),
    );
    await pack.discard();
  });

  it('stops at objects the repository already has, so a second push only walks what is new', async () => {
    const repo = await freshRepo('incremental');
    const base = await receivePack(chunked(await work.pack([first])), repo.newQuarantineDir(), limits(10_000_000));
    await new ConnectivityCheck(repo.objects([base.gitdir])).checkTip(first, 'refs/heads/main');
    await base.adopt(repo.gitdir);
    await base.discard();
    const next = await receivePack(chunked(await work.pack([second, `^${first}`])), repo.newQuarantineDir(), limits(10_000_000));
    const check = new ConnectivityCheck(repo.objects([next.gitdir]));
    await check.checkTip(second, 'refs/heads/main');
    check.assertPackReached(next.objectCount);
    await next.discard();
  });

  it('refuses a pack carrying objects no pushed ref reaches', async () => {
    const repo = await freshRepo('unreached');
    const stray = await git(['hash-object', '-w', '--stdin'], { cwd: work.dir, input: 'a stray blob\n' });
    const revs = await git(['rev-list', '--objects', first], { cwd: work.dir });
    const oids = [...revs.split('\n').map((line) => line.split(' ')[0]!), stray];
    const pack = await receivePack(chunked(await work.packObjects(oids)), repo.newQuarantineDir(), limits(10_000_000));
    const check = new ConnectivityCheck(repo.objects([pack.gitdir]));
    await check.checkTip(first, 'refs/heads/main');
    expect(() => check.assertPackReached(pack.objectCount)).toThrow(/1 object\(s\) that no pushed ref reaches/);
    await pack.discard();
  });
});
