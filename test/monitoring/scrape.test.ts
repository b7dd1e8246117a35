import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../core/config/secret.js';
import { makeLabels } from '../../plugins/monitoring/model/labels.js';
import { evaluate } from '../../plugins/monitoring/promql/evaluator.js';
import { parsePromQL } from '../../plugins/monitoring/promql/parse.js';
import { ScrapeTarget, type ScrapeLimits } from '../../plugins/monitoring/scrape/scrapeTarget.js';
import { SeriesStore } from '../../plugins/monitoring/tsdb/seriesStore.js';

const limits: ScrapeLimits = { timeoutMs: 500, bodyLimitBytes: 1024 * 1024, sampleLimit: 1000 };
const T0 = Date.parse('2025-01-01T00:00:00Z');

/** A metrics endpoint whose answer each test sets. */
let respond: (res: ServerResponse, auth: string | undefined) => void = (res) => res.end('up 1\n');
let server: Server;
let base: string;
const hanging = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => respond(res, req.headers.authorization));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function target(token?: string): ScrapeTarget {
  return new ScrapeTarget({ name: 'svc', url: `${base}/metrics`, labels: makeLabels({ job: 'hearth', instance: 'svc:8080', host: 'svc' }), token: token ? new Secret(token) : undefined });
}

function query(store: SeriesStore, expr: string, time: number): Record<string, number> {
  const result = evaluate(parsePromQL(expr), { store, time });
  if (result.type !== 'vector') return {};
  return Object.fromEntries(result.samples.map((s) => [JSON.stringify(s.labels), s.v]));
}

describe('scraping a target', () => {
  it('stores its samples with the target labels, renaming clashing ones, and writes up and the scrape series', async () => {
    respond = (res) => res.end('# TYPE requests_total counter\nrequests_total{job="app",code="200"} 7\nqueue_depth 3\n');
    const store = new SeriesStore(3600_000);
    const t = target();
    await t.scrape(T0, store, limits);
    expect(t.health).toBe('up');
    expect(query(store, 'requests_total', T0)).toEqual({
      [JSON.stringify({ __name__: 'requests_total', code: '200', exported_job: 'app', host: 'svc', instance: 'svc:8080', job: 'hearth' })]: 7,
    });
    expect(Object.values(query(store, 'up', T0))).toEqual([1]);
    expect(Object.values(query(store, 'scrape_samples_scraped', T0))).toEqual([2]);
    expect(Object.values(query(store, 'scrape_duration_seconds', T0))[0]).toBeGreaterThan(0);
  });

  it('accepts a gzip-compressed answer and sends the host metrics token', async () => {
    respond = (res, auth) => {
      if (auth !== 'Bearer scrape-token') return void res.writeHead(401).end();
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('up_like 1\n'));
    };
    const store = new SeriesStore(3600_000);
    const withToken = target('scrape-token');
    await withToken.scrape(T0, store, limits);
    expect(withToken.health).toBe('up');
    const without = target();
    await without.scrape(T0, new SeriesStore(3600_000), limits);
    expect(without.health).toBe('down');
    expect(without.lastError).toBe('server returned HTTP status 401 Unauthorized');
  });

  it('marks a series stale when it disappears, and every series when the target goes down', async () => {
    const store = new SeriesStore(3600_000);
    const t = target();
    respond = (res) => res.end('a 1\nb 2\n');
    await t.scrape(T0, store, limits);
    respond = (res) => res.end('a 1\n');
    await t.scrape(T0 + 15_000, store, limits);
    expect(Object.keys(query(store, '{__name__=~"a|b"}', T0 + 15_000))).toHaveLength(1);
    respond = (res) => res.writeHead(500).end();
    await t.scrape(T0 + 30_000, store, limits);
    expect(query(store, 'a', T0 + 30_000)).toEqual({});
    expect(Object.values(query(store, 'up', T0 + 30_000))).toEqual([0]);
  });
});

describe('a misbehaving target is marked down, quickly, without storing anything', () => {
  it('one that hangs is cut off at the timeout', async () => {
    respond = (res) => void hanging.add(res);
    const store = new SeriesStore(3600_000);
    const t = target();
    const started = performance.now();
    await t.scrape(T0, store, limits);
    expect(performance.now() - started).toBeLessThan(limits.timeoutMs + 1000);
    expect(t.health).toBe('down');
    expect(t.lastError).toMatch(/context deadline exceeded/);
    expect(Object.values(query(store, 'up', T0))).toEqual([0]);
  });

  it('one that sends garbage, even after good lines', async () => {
    respond = (res) => res.end(`good 1\n${Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256)).toString('latin1')}`);
    const store = new SeriesStore(3600_000);
    const t = target();
    await t.scrape(T0, store, limits);
    expect(t.health).toBe('down');
    expect(t.lastError).toMatch(/^not the Prometheus text format: line \d+: /);
    expect(query(store, 'good', T0)).toEqual({});
  });

  it('one that sends 50 MB is cut off at the body limit', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'x_total 1\n');
    respond = (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const pump = (): void => {
        while (sent < 50 && res.write(chunk)) sent++;
        if (sent < 50) res.once('drain', pump);
        else res.end();
      };
      res.on('error', () => undefined);
      pump();
    };
    const store = new SeriesStore(3600_000);
    const t = target();
    const heapBefore = process.memoryUsage().heapUsed;
    await t.scrape(T0, store, limits);
    expect(t.health).toBe('down');
    expect(t.lastError).toBe(`body exceeds the limit of ${limits.bodyLimitBytes} bytes`);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(40 * 1024 * 1024);
    expect(store.size).toBe(3);
  });

  it('one that declares a body over the limit is refused before reading it', async () => {
    respond = (res) => res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) }).end();
    const t = target();
    await t.scrape(T0, new SeriesStore(3600_000), limits);
    expect(t.lastError).toBe(`body of ${50 * 1024 * 1024} bytes exceeds the limit of ${limits.bodyLimitBytes} bytes`);
  });

  it('one with more samples than the limit', async () => {
    respond = (res) => res.end(Array.from({ length: 1001 }, (_, i) => `s${i} 1`).join('\n'));
    const t = target();
    await t.scrape(T0, new SeriesStore(3600_000), limits);
    expect(t.lastError).toBe('sample limit exceeded: more than 1000 samples');
  });

  it('one that is not listening', async () => {
    const t = new ScrapeTarget({ name: 'gone', url: 'http://127.0.0.1:9/metrics', labels: makeLabels({ job: 'x', instance: 'gone' }), token: undefined });
    await t.scrape(T0, new SeriesStore(3600_000), limits);
    expect(t.health).toBe('down');
    expect(t.lastError).toMatch(/ECONNREFUSED/);
  });
});
