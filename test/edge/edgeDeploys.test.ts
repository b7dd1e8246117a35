/**
 * Deploys while visitors are on the site: every answer comes from one whole release, through
 * git pushes made while loops of requests hammer the edge; and a request that started on a
 * release whose files were collected after newer deploys is answered from the new live release.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsStorage } from '../../core/services/storage/fsStorage.js';
import { blobIdOf, RELEASE_FORMAT, releaseId, siteKeys } from '../../core/services/releases/releaseLayout.js';
import { switchLive } from '../../core/services/releases/releaseWriter.js';
import type { Storage } from '../../core/services/storage/storage.js';
import { bootHost, type BootedHost } from '../helpers/bootHost.js';
import type { EdgeInstance } from '../../plugins/edge/index.js';
import type { GitPluginInstance } from '../../plugins/git/index.js';
import { edgeGet } from './edgeClient.js';
import { bootEdgeHost, TOKENS_YAML, type EdgeHost } from './edgeHost.js';
import { hammer, releaseFiles, removedFiles } from './releaseHammer.js';
import { publish } from './directPublish.js';

/** A host running git and the edge with these settings, for one site. */
function gitAndEdge(site: string, git: string, edge: string): string {
  return `
hosts:
  services:
    port: 0
    log: { level: warn }
    plugins:
      git: ${git}
      edge: ${edge}
sites:
  ${site}: {}
${TOKENS_YAML}`;
}

/** A storage directory to publish into before a host that reads it starts. */
async function storageBefore(prefix: string): Promise<{ dir: string; storage: Storage }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, storage: new FsStorage({ dir: join(dir, 'production') }, pino({ level: 'silent' })) };
}

/** A host running the edge alone over the fs storage in `storeDir`, for these sites. */
function edgeOver(storeDir: string, edge: string, sites: readonly string[]): string {
  return `
hosts:
  services:
    port: 0
    log: { level: warn }
    storage: { engine: fs, dir: ${storeDir} }
    plugins:
      edge: ${edge}
sites:
${sites.map((site) => `  ${site}: {}`).join('\n')}
`;
}

describe('git pushes while visitors hammer the site', () => {
  let host: EdgeHost;

  beforeAll(async () => {
    host = await bootEdgeHost(gitAndEdge('race.example', '{ releasesKept: 2 }', '{ port: 0, revalidateMs: 20, logs: { enabled: false } }'));
    await host.push('race.example', releaseFiles(1), 'release 1');
  });

  afterAll(async () => {
    await host?.dispose();
  });

  it('never answers with a mix of two releases', async () => {
    const pushes = (async () => {
      for (let k = 2; k <= 6; k++) await host.push('race.example', { ...removedFiles(k), ...releaseFiles(k) }, `release ${k}`);
      // Let the visitors see the last release too.
      await new Promise((resolve) => setTimeout(resolve, 100));
    })();
    const report = await hammer(host.url, 'race.example', 6, pushes);
    expect(report.mixed).toEqual([]);
    expect(report.releases.size).toBeGreaterThanOrEqual(3);
    expect(report.releases.has(6)).toBe(true);
    expect(report.requests).toBeGreaterThan(100);
  });
});

describe('a deploy on the host that runs the edge', () => {
  let host: EdgeHost;

  beforeAll(async () => {
    // An hour between checks of the live pointer: only the deploy itself can tell the edge.
    host = await bootEdgeHost(gitAndEdge('told.example', '{}', '{ port: 0, revalidateMs: 3600000, logs: { enabled: false } }'));
  });

  afterAll(async () => {
    await host?.dispose();
  });

  it('is served from the first request after the push answers, and so is a rollback', async () => {
    expect((await edgeGet(host.url, 'told.example', '/')).status).toBe(404);
    const first = await host.push('told.example', { 'index.html': 'one' }, 'one');
    expect((await edgeGet(host.url, 'told.example', '/')).text).toBe('one');
    await host.push('told.example', { 'index.html': 'two' }, 'two');
    expect((await edgeGet(host.url, 'told.example', '/')).text).toBe('two');
    await host.booted.host.instance<GitPluginInstance>('git')!.rollback('told.example', first);
    expect((await edgeGet(host.url, 'told.example', '/')).text).toBe('one');
  });

  it('moves Last-Modified forward on a rollback, so a client revalidating by date gets the rolled-back-to page', async () => {
    const one = await host.push('told.example', { 'index.html': 'ONE' }, 'ONE');
    const first = await edgeGet(host.url, 'told.example', '/');
    await host.push('told.example', { 'index.html': 'TWO' }, 'TWO');
    const second = await edgeGet(host.url, 'told.example', '/');
    expect(second.text).toBe('TWO');
    await host.booted.host.instance<GitPluginInstance>('git')!.rollback('told.example', one);
    // A browser holding TWO revalidates with the date TWO was sent with.
    for (const held of [second, first]) {
      const again = await edgeGet(host.url, 'told.example', '/', { headers: { 'if-modified-since': held.headers['last-modified']! } });
      expect(again.status).toBe(200);
      expect(again.text).toBe('ONE');
    }
    const rolledBack = await edgeGet(host.url, 'told.example', '/');
    const dates = [first, second, rolledBack].map((answer) => Date.parse(answer.headers['last-modified']!));
    expect(dates[1]).toBeGreaterThan(dates[0]!);
    expect(dates[2]).toBeGreaterThan(dates[1]!);
    expect((await edgeGet(host.url, 'told.example', '/', { headers: { 'if-modified-since': rolledBack.headers['last-modified']! } })).status).toBe(304);
  });
});

describe('Last-Modified of a release read when the edge starts', () => {
  let booted: BootedHost;
  let storeDir: string;
  // Whole seconds, in the past, far apart: what the pointer says, not this run's clock.
  const deployedOne = new Date('2024-03-01T10:00:00Z');
  const deployedTwo = new Date('2024-03-02T10:00:00Z');
  const rolledBack = new Date('2024-03-03T10:00:00Z');

  beforeAll(async () => {
    let storage: Storage;
    ({ dir: storeDir, storage } = await storageBefore('hearth-edge-since-'));
    const one = await publish(storage, 'rolled.example', { 'index.html': 'ONE\n' }, '1'.repeat(40), deployedOne);
    await publish(storage, 'rolled.example', { 'index.html': 'TWO\n' }, '2'.repeat(40), deployedTwo);
    await switchLive(storage, one, rolledBack);
    // A pointer from before switchedAt was read: the deploy time stands in.
    await publish(storage, 'old.example', { 'index.html': 'OLD\n' }, '3'.repeat(40), deployedOne);
    await storage.put(siteKeys('old.example').live, JSON.stringify({ format: RELEASE_FORMAT, release: releaseId(1, '3'.repeat(40)), commit: '3'.repeat(40) }));
    booted = await bootHost(edgeOver(storeDir, '{ port: 0, logs: { enabled: false } }', ['rolled.example', 'old.example']));
  });

  afterAll(async () => {
    await booted?.dispose();
    await rm(storeDir, { recursive: true, force: true });
  });

  it('is when the live pointer was switched, or the deploy time for a pointer that does not say', async () => {
    const edge = booted.host.instance<EdgeInstance>('edge')!;
    const rolled = await edgeGet(edge.url, 'rolled.example', '/');
    expect(rolled.text).toBe('ONE\n');
    expect(rolled.headers['last-modified']).toBe(rolledBack.toUTCString());
    const stale = await edgeGet(edge.url, 'rolled.example', '/', { headers: { 'if-modified-since': deployedTwo.toUTCString() } });
    expect(stale.status).toBe(200);
    const old = await edgeGet(edge.url, 'old.example', '/');
    expect(old.text).toBe('OLD\n');
    expect(old.headers['last-modified']).toBe(deployedOne.toUTCString());
  });
});

describe('a release whose files were collected under a request', () => {
  let booted: BootedHost;
  let storage: Storage;
  let edge: EdgeInstance;
  let storeDir: string;

  beforeAll(async () => {
    // Release 1 is live before the host starts, so the edge reads it first.
    let before: Storage;
    ({ dir: storeDir, storage: before } = await storageBefore('hearth-edge-gc-'));
    await publish(before, 'gc.example', { 'index.html': 'one\n', 'data.txt': 'data of one\n' }, '1'.repeat(40));
    // An hour between checks: the edge keeps release 1 cached while two newer deploys collect its files.
    booted = await bootHost(edgeOver(storeDir, '{ port: 0, revalidateMs: 3600000, logs: { enabled: false } }', ['gc.example']));
    storage = booted.host.container.resolve('storage') as Storage;
    edge = booted.host.instance<EdgeInstance>('edge')!;
  });

  afterAll(async () => {
    await booted?.dispose();
    await rm(storeDir, { recursive: true, force: true });
  });

  it('is answered once more from the new live release, whole', async () => {
    expect((await edgeGet(edge.url, 'gc.example', '/')).text).toBe('one\n');
    await publish(storage, 'gc.example', { 'index.html': 'two\n', 'data.txt': 'data of two\n' }, '2'.repeat(40));
    await publish(storage, 'gc.example', { 'index.html': 'three\n', 'data.txt': 'data of three\n' }, '3'.repeat(40));
    // The edge still holds release 1, whose bundle is gone: data.txt was never read into memory.
    const data = await edgeGet(edge.url, 'gc.example', '/data.txt');
    expect(data.status).toBe(200);
    expect(data.text).toBe('data of three\n');
    expect(data.headers.etag).toBe(`"${blobIdOf(Buffer.from('data of three\n'))}"`);
    expect((await edgeGet(edge.url, 'gc.example', '/')).text).toBe('three\n');
    const exposition = await (await fetch(`${booted.url}/metrics`)).text();
    expect(exposition).toMatch(/hearth_edge_release_retries_total\{site="gc.example"\} 1/);
  });
});
