import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHearthError } from '../../core/errors/HearthError.js';
import { ObjectStore } from '../../plugins/git/repo/objectStore.js';
import { listTreeFiles } from '../../plugins/git/tree/siteTree.js';
import { entryNameProblem, parseTree } from '../../plugins/git/tree/treeObject.js';
import { git, rawTree, WorkTree } from './gitCli.js';
import '../../plugins/git/errors.js';

const LIMITS = { maxFiles: 1000, maxPathBytes: 1000 };
let work: WorkTree;
let store: ObjectStore;
let blob: string;
let goodTree: string;

beforeAll(async () => {
  work = await WorkTree.create();
  await work.write({ 'index.html': 'home\n', 'blog/post.html': 'post\n', 'run.sh': '#!/bin/sh\n' });
  await chmod(join(work.dir, 'run.sh'), 0o755);
  await work.commit('site');
  goodTree = await git(['rev-parse', 'HEAD^{tree}'], { cwd: work.dir });
  blob = await git(['hash-object', '-w', '--stdin'], { cwd: work.dir, input: 'content\n' });
  store = new ObjectStore([join(work.dir, '.git')]);
});

afterAll(() => work.dispose());

async function treeWith(name: string, mode = '100644', oid?: string): Promise<string> {
  return work.writeRawObject('tree', rawTree([{ mode, name, oid: oid ?? blob }]));
}

async function filesOf(tree: string, warnings: string[] = []) {
  return listTreeFiles(store, tree, LIMITS, (line) => warnings.push(line));
}

function badTree(pattern: RegExp) {
  return (error: unknown) => isHearthError(error, 'HEARTH_ERR_GIT_BAD_TREE') && pattern.test((error as Error).message);
}

describe('the tree a push deploys', () => {
  it('lists every file with its path and mode', async () => {
    const files = await filesOf(goodTree);
    expect(files.map((file) => [file.path, file.mode])).toEqual([
      ['index.html', 'file'],
      ['run.sh', 'executable'],
      ['blog/post.html', 'file'],
    ]);
  });

  for (const name of ['..', '.', '.git', '.GIT', 'a/b']) {
    it(`rejects an entry named ${JSON.stringify(name)}, even inside a directory`, async () => {
      const inner = await treeWith(name);
      const outer = await work.writeRawObject('tree', rawTree([{ mode: '40000', name: 'docs', oid: inner }]));
      await expect(filesOf(outer)).rejects.toSatisfy(badTree(new RegExp(`"docs/${name.replace(/\./g, '\\.')}"`)));
    });
  }

  it('rejects a tree whose name bytes contain a NUL as malformed', async () => {
    const raw = Buffer.concat([Buffer.from('100644 a\0b\0'), Buffer.from(blob, 'hex')]);
    expect(() => parseTree('t'.repeat(40), raw)).toThrow();
    expect(entryNameProblem('a\0b')).toMatch(/NUL/);
  });

  it('rejects a symlink instead of following or copying it', async () => {
    const target = await git(['hash-object', '-w', '--stdin'], { cwd: work.dir, input: '/etc/passwd' });
    await expect(filesOf(await treeWith('passwd', '120000', target))).rejects.toSatisfy(badTree(/"passwd" is a symlink/));
  });

  it('skips a submodule with a warning', async () => {
    const commit = await work.head();
    const tree = await work.writeRawObject('tree', rawTree([{ mode: '100644', name: 'a.html', oid: blob }, { mode: '160000', name: 'theme', oid: commit }]));
    const warnings: string[] = [];
    expect((await filesOf(tree, warnings)).map((file) => file.path)).toEqual(['a.html']);
    expect(warnings).toEqual(['warning: submodule "theme" is skipped (submodules are not deployed)']);
  });

  it('rejects the same name twice in one tree', async () => {
    const tree = await work.writeRawObject('tree', rawTree([{ mode: '100644', name: 'a', oid: blob }, { mode: '100644', name: 'a', oid: blob }]));
    await expect(filesOf(tree)).rejects.toSatisfy(badTree(/appears twice/));
  });

  it('bounds a tree that repeats one subtree many times', async () => {
    const leaf = await work.writeRawObject('tree', rawTree(Array.from({ length: 40 }, (_, i) => ({ mode: '100644', name: `f${i}`, oid: blob }))));
    const middle = await work.writeRawObject('tree', rawTree(Array.from({ length: 40 }, (_, i) => ({ mode: '40000', name: `d${String(i).padStart(2, '0')}`, oid: leaf }))));
    await expect(filesOf(middle)).rejects.toSatisfy(badTree(/more than 1000 files/));
  });

  it('rejects unknown modes and truncated trees as malformed objects', () => {
    expect(() => parseTree('t'.repeat(40), Buffer.concat([Buffer.from('100777 x\0'), Buffer.from(blob, 'hex')]))).toThrow(/unknown mode/);
    expect(() => parseTree('t'.repeat(40), Buffer.from('100644 x\0abc'))).toThrow(/truncated/);
  });
});
