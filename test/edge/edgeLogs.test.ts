/**
 * Every request the edge answers for a site becomes an access record: handed in-process to the
 * intake plugin when the host runs it (and stored in the analytics store), or sent as Bunny lines
 * over TCP or UDP to an intake elsewhere. A sink that is down is counted and retried; visitors
 * never notice it.
 */
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import { parseBunnyLine } from '../../plugins/intake/parsers/bunnyLine.js';
import { sampleValue, waitFor } from '../intake/logSenders.js';
import { edgeGet } from './edgeClient.js';
import { bootEdgeHost, TOKENS_YAML, type EdgeHost } from './edgeHost.js';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const SITE_FILES = { 'index.html': '<h1>Home</h1>\n', 'about.html': '<h1>About</h1>\n', '404.html': 'gone\n' };
const hosts: EdgeHost[] = [];

afterAll(async () => {
  for (const host of hosts) await host.dispose();
});

async function boot(plugins: string): Promise<EdgeHost> {
  const host = await bootEdgeHost(`
hosts:
  services:
    port: 0
    log: { level: warn }
    plugins:
      git: {}
${plugins}
sites:
  example.com: { aliases: [www.example.com] }
${TOKENS_YAML}`);
  hosts.push(host);
  await host.push('example.com', SITE_FILES);
  return host;
}

/**
 * A free port below the kernel's ephemeral range (32768 and up on Linux): no socket another suite
 * opens on port 0 can be given it, so it stays refused until this suite listens on it.
 */
async function portNobodyTakes(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}

/** A TCP server that collects newline-framed lines, as an intake listener elsewhere would receive them. */
async function lineServer(port = 0): Promise<{ server: Server; port: number; lines: string[] }> {
  const lines: string[] = [];
  const server = createServer((socket) => {
    let rest = '';
    socket.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      lines.push(...parts);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, lines };
}

async function visit(host: EdgeHost): Promise<string[]> {
  const ids: string[] = [];
  for (const [path, headers] of [
    ['/', { 'user-agent': BROWSER, referer: 'https://news.example.org/item?id=1' }],
    ['/about?utm=x', { 'user-agent': 'curl/8.0 | pipes|inside' }],
    ['/missing', { 'user-agent': BROWSER }],
  ] as const) {
    const answer = await edgeGet(host.url, path === '/' ? 'www.example.com' : 'example.com', path, { headers });
    ids.push(String(answer.headers['x-request-id']));
  }
  return ids;
}

describe('access logs handed to the intake plugin on the same host', () => {
  it('land in the analytics store, one record per request', async () => {
    const host = await boot(`      intake:
        listeners: []
        batch: { maxDelayMs: 100 }
      edge: { port: 0, revalidateMs: 0, logs: { flushMs: 50 } }`);
    expect(host.edge.logSink).toBe('ingest');
    const analytics = host.booted.host.container.cradle.analytics as AnalyticsStore;
    await visit(host);
    await visit(host);
    await waitFor('6 records in the store', async () => (await analytics.count('example.com')) >= 6);
    expect(await analytics.count('example.com')).toBe(6);
  });
});

describe('access logs sent to an intake elsewhere', () => {
  it('arrive over TCP as well-formed Bunny lines that carry the request id', async () => {
    const intake = await lineServer();
    const host = await boot(`      edge: { port: 0, revalidateMs: 0, logs: { flushMs: 50, intake: { address: "127.0.0.1:${intake.port}", protocol: tcp } } }`);
    expect(host.edge.logSink).toBe('tcp');
    const ids = await visit(host);
    await waitFor('3 lines', () => intake.lines.length >= 3);
    intake.server.close();
    expect(intake.lines).toHaveLength(3);
    const [home, about, missing] = intake.lines.map((line) => {
      expect(line.split('|').length, line).toBe(12);
      const parsed = parseBunnyLine(line);
      if (typeof parsed === 'string') throw new Error(`intake would drop ${line}: ${parsed}`);
      return parsed;
    });
    expect(home).toMatchObject({ status: 200, url: 'http://www.example.com/', referrer: 'https://news.example.org/item?id=1', userAgent: BROWSER, ip: '127.0.0.1', requestId: ids[0] });
    expect(home!.bytes).toBe(SITE_FILES['index.html'].length);
    expect(about).toMatchObject({ status: 200, url: 'http://example.com/about?utm=x', userAgent: 'curl/8.0 %7C pipes%7Cinside', requestId: ids[1] });
    expect(missing).toMatchObject({ status: 404, url: 'http://example.com/missing', requestId: ids[2] });
    expect(Math.abs(home!.ts - Date.now())).toBeLessThan(60_000);
  });

  it('behind a proxy on loopback (Caddy), log the client from X-Forwarded-For and the scheme it used', async () => {
    const intake = await lineServer();
    const host = await boot(`      edge: { port: 0, revalidateMs: 0, logs: { flushMs: 50, intake: { address: "127.0.0.1:${intake.port}", protocol: tcp } } }`);
    // The right-most address the proxy did not add itself: a client cannot forge the one before.
    await edgeGet(host.url, 'example.com', '/about', { headers: { 'x-forwarded-for': '198.51.100.7, 203.0.113.9', 'x-forwarded-proto': 'https' } });
    await waitFor('the line', () => intake.lines.length >= 1);
    intake.server.close();
    expect(parseBunnyLine(intake.lines[0]!)).toMatchObject({ ip: '203.0.113.9', url: 'https://example.com/about' });
  });

  it('arrive over UDP, several lines to a datagram', async () => {
    const socket = createSocket('udp4');
    const lines: string[] = [];
    socket.on('message', (message) => lines.push(...message.toString('utf8').split('\n')));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const host = await boot(`      edge: { port: 0, revalidateMs: 0, logs: { flushMs: 50, intake: { address: "127.0.0.1:${socket.address().port}", protocol: udp } } }`);
    await visit(host);
    await waitFor('3 lines', () => lines.length >= 3);
    socket.close();
    expect(lines.map((line) => (parseBunnyLine(line) as { status: number }).status)).toEqual([200, 200, 404]);
  });

  it('when the intake is down, pages are served as usual, the failures counted, and the records delivered once it is back', async () => {
    const port = await portNobodyTakes();
    const host = await boot(`      edge: { port: 0, revalidateMs: 0, logs: { flushMs: 50, intake: { address: "127.0.0.1:${port}", protocol: tcp } } }`);
    for (let round = 0; round < 3; round++) {
      const page = await edgeGet(host.url, 'example.com', '/');
      expect(page.status).toBe(200);
    }
    const failures = async (): Promise<number> => sampleValue(await (await fetch(`${host.booted.url}/metrics`)).text(), 'hearth_edge_log_sink_failures_total{sink="tcp"}');
    await waitFor('a counted failure', async () => (await failures()) > 0);
    expect(await failures()).toBeGreaterThan(0);
    const intake = await lineServer(port);
    await waitFor('the queued lines', () => intake.lines.length >= 3);
    intake.server.close();
    expect(intake.lines.filter((line) => line.includes('|200|'))).toHaveLength(3);
  });
});
