/**
 * The same edge on a host whose storage is an S3 bucket (s3rver): a pushed site served whole,
 * ranges read as byte ranges of bundles in the bucket, deploys under load never mixed, and a
 * request on a collected release answered from the new one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobIdOf } from '../../core/services/releases/releaseLayout.js';
import { edgeGet } from './edgeClient.js';
import { bootEdgeHost, TOKENS_YAML, type EdgeHost } from './edgeHost.js';
import { hammer, releaseFiles, removedFiles } from './releaseHammer.js';
import { publish } from './directPublish.js';
import { s3Env, s3StorageYaml, suitePrefix } from '../helpers/s3HostStorage.js';

let host: EdgeHost;

function yaml(prefix: string, revalidateMs: number): string {
  return `
hosts:
  services:
    port: 0
    log: { level: warn }
${s3StorageYaml(prefix)}
    plugins:
      git: { releasesKept: 2 }
      edge: { port: 0, revalidateMs: ${revalidateMs}, logs: { enabled: false } }
sites:
  bucket.example: {}
  gc.example: {}
${TOKENS_YAML}`;
}


beforeAll(async () => {
  // A prefix of its own, so this suite never meets another's keys in the shared bucket.
  host = await bootEdgeHost(yaml(suitePrefix('edge-suite'), 20), { env: s3Env() });
});

afterAll(async () => {
  await host?.dispose();
});

describe('the edge on S3 storage', () => {
  it('serves a pushed site: pages, clean URLs, 404 page, conditional and range requests', async () => {
    expect(host.storage.engine).toBe('s3');
    const files = releaseFiles(1);
    await host.push('bucket.example', files, 'release 1');
    const get = (path: string, headers: Record<string, string> = {}) => edgeGet(host.url, 'bucket.example', path, { headers });
    const home = await get('/');
    expect(home.text).toBe(files['index.html']);
    expect((await get('/about')).text).toBe(files['about.html']);
    const missing = await get('/nope');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe(files['404.html']);
    expect((await get('/', { 'if-none-match': home.headers.etag! })).status).toBe(304);
    const big = files['media/big-1.bin']!;
    const whole = await get('/media/big-1.bin');
    expect(whole.text).toBe(big);
    expect(whole.headers.etag).toBe(`"${blobIdOf(Buffer.from(big))}"`);
    const part = await get('/media/big-1.bin', { range: 'bytes=200000-200099' });
    expect(part.status).toBe(206);
    expect(part.text).toBe(big.slice(200_000, 200_100));
  });

  it('never mixes releases while pushes land under load', async () => {
    const pushes = (async () => {
      for (let k = 2; k <= 4; k++) await host.push('bucket.example', { ...removedFiles(k), ...releaseFiles(k) }, `release ${k}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    })();
    const report = await hammer(host.url, 'bucket.example', 4, pushes);
    expect(report.mixed).toEqual([]);
    expect(report.releases.has(4)).toBe(true);
    expect(report.releases.size).toBeGreaterThanOrEqual(2);
  });
});

describe('a collected release on S3', () => {
  let slow: EdgeHost;

  afterAll(async () => {
    await slow?.dispose();
  });

  it('is answered from the new live release', async () => {
    slow = await bootEdgeHost(yaml(suitePrefix('edge-suite-gc'), 3_600_000), { env: s3Env() });
    const get = (path: string) => edgeGet(slow.url, 'gc.example', path);
    // The edge read "nothing deployed" at start and keeps that for an hour: a deploy made straight
    // to storage is picked up by asking the edge to check now.
    await publish(slow.storage, 'gc.example', { 'index.html': 'one\n', 'data.txt': 'data of one\n' }, '1'.repeat(40));
    await slow.edge.refresh('gc.example');
    expect((await get('/')).text).toBe('one\n');
    await publish(slow.storage, 'gc.example', { 'index.html': 'two\n', 'data.txt': 'data of two\n' }, '2'.repeat(40));
    await publish(slow.storage, 'gc.example', { 'index.html': 'three\n', 'data.txt': 'data of three\n' }, '3'.repeat(40));
    const data = await get('/data.txt');
    expect(data.status).toBe(200);
    expect(data.text).toBe('data of three\n');
    expect((await get('/')).text).toBe('three\n');
    const exposition = await (await fetch(`${slow.booted.url}/metrics`)).text();
    expect(exposition).toMatch(/hearth_edge_release_retries_total\{site="gc.example"\} 1/);
  });
});
