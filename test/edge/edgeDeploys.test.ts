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
import { blobIdOf } from '../../core/services/releases/releaseLayout.js';
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
});

describe('a release whose files were collected under a request', () => {
  let booted: BootedHost;
  let storage: Storage;
  let edge: EdgeInstance;
  let storeDir: string;

  beforeAll(async () => {
    // Release 1 is live before the host starts, so the edge reads it first.
    storeDir = await mkdtemp(join(tmpdir(), 'hearth-edge-gc-'));
    const before = new FsStorage({ dir: join(storeDir, 'production') }, pino({ level: 'silent' }));
    await publish(before, 'gc.example', { 'index.html': 'one\n', 'data.txt': 'data of one\n' }, '1'.repeat(40));
    // An hour between checks: the edge keeps release 1 cached while two newer deploys collect its files.
    booted = await bootHost(`
hosts:
  services:
    port: 0
    log: { level: warn }
    storage: { engine: fs, dir: ${storeDir} }
    plugins:
      edge: { port: 0, revalidateMs: 3600000, logs: { enabled: false } }
sites:
  gc.example: {}
`);
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
