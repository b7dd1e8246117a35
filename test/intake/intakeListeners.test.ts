/**
 * Logs arriving the ways they do in production — Bunny forwarding syslog over TCP and UDP, a log
 * shipper posting over HTTP, another plugin handing records in — end up in the right site's
 * analytics; and the doors are kept: allowlist, connection limit, idle timeout, tokens.
 */
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsStore, type AnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import { generateToken } from '../../core/services/tokens.js';
import { accessRecord } from '../analytics/accessRecords.js';
import { removeDir, startIntake, type IntakeUnderTest } from './intakeHarness.js';
import { bunnyLine, octetCounted, rfc5424, sampleValue, sendTcp, sendUdp, waitFor } from './logSenders.js';

let dir: string;
let store: AnalyticsStore;
let intake: IntakeUnderTest;
const otherSiteToken = generateToken();
const readOnlyToken = generateToken();
const adminToken = generateToken();
const siteLessToken = generateToken();
const RANGE = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-listeners-'));
  store = createAnalyticsStore({ engine: 'duckdb', duckdbFile: join(dir, 'analytics.duckdb'), retentionMonths: 13 }, { logger: (await import('pino')).pino({ level: 'silent' }) });
  intake = await startIntake({
    analytics: { engine: 'duckdb', duckdbFile: '', retentionMonths: 13 },
    store,
    dataDir: join(dir, 'intake'),
    config: { batch: { maxDelayMs: 50 }, tcp: { maxConnections: 4, idleTimeoutMs: 1000 } },
    sites: { 'example.com': { aliases: ['example.b-cdn.net'] }, 'blog.example.org': { intake: { bunnyPullZones: [777] } }, 'shop.example.net': {} },
    tokens: {
      other: { token: otherSiteToken, sites: ['shop.example.net'], scopes: ['ingest'] },
      reader: { token: readOnlyToken, sites: ['*'], scopes: ['read'] },
      admin: { token: adminToken, sites: ['*'], scopes: ['admin'] },
      siteless: { token: siteLessToken, sites: [], scopes: ['ingest'] },
    },
  });
});
afterAll(async () => {
  await intake?.stop();
  await store?.close();
  await removeDir(dir);
});

/** Now as nginx's `$time_local` writes it, in UTC. */
function nginxTime(): string {
  const now = new Date();
  const month = now.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(now.getUTCDate())}/${month}/${now.getUTCFullYear()}:${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())} +0000`;
}

async function urlsOf(site: string): Promise<Map<string, number>> {
  const rows = await store.aggregate({ site, ...RANGE, metrics: ['requests'], groupBy: ['url'], limit: 10_000 });
  return new Map(rows.map((row) => [String(row.url), Number(row.requests)]));
}

async function metric(sample: string): Promise<number> {
  return sampleValue(await intake.registry.metrics(), sample);
}

describe('syslog over TCP and UDP', () => {
  it("stores Bunny's forwarded lines sent over TCP, octet-counted and newline-framed, in the site they name", async () => {
    const lines = Array.from({ length: 200 }, (_, index) => bunnyLine(index, { host: index % 2 ? 'example.b-cdn.net' : 'example.com' }));
    const stream = lines.map((line, index) => (index % 2 ? octetCounted(rfc5424(line)) : `${rfc5424(line)}\n`)).join('');
    await sendTcp(intake.tcpPort(), stream);
    await waitFor('200 rows', async () => (await store.count('example.com')) >= 200);
    const urls = await urlsOf('example.com');
    expect(urls.size).toBe(200);
    expect([...urls.values()].every((count) => count === 1)).toBe(true);
  });

  it('stores UDP datagrams, bare or in syslog, and maps a pull zone to its site', async () => {
    const lines = Array.from({ length: 30 }, (_, index) => bunnyLine(1000 + index, { host: 'zone777.b-cdn.net' }).replace('|390|', '|777|'));
    await sendUdp(intake.udpPort(), lines.map((line, index) => (index % 2 ? rfc5424(line) : line)));
    await waitFor('30 rows of the pull zone', async () => (await store.count('blog.example.org')) >= 30);
    expect(await store.count('blog.example.org')).toBe(30);
  });

  it('drops a line for a site the host file does not have, and counts why', async () => {
    const before = await metric('hearth_intake_records_dropped_total{reason="unknown_site"}');
    await sendTcp(intake.tcpPort(), `${bunnyLine(5000, { host: 'evil.test' })}\n`);
    await waitFor('the drop to be counted', async () => (await metric('hearth_intake_records_dropped_total{reason="unknown_site"}')) === before + 1);
  });

  it('drops a line whose request id was just seen', async () => {
    const before = await metric('hearth_intake_records_dropped_total{reason="duplicate"}');
    const line = bunnyLine(6001);
    await sendTcp(intake.tcpPort(), `${line}\n${line}\n`);
    await waitFor('the duplicate to be counted', async () => (await metric('hearth_intake_records_dropped_total{reason="duplicate"}')) === before + 1);
    await waitFor('the line itself to be stored', async () => (await urlsOf('example.com')).get('/posts/6001?n=6001') === 1);
  });

  it('closes a connection that stays idle past the timeout', async () => {
    const socket = await new Promise<Socket>((resolve) => {
      const opened = connect(intake.tcpPort(), '127.0.0.1', () => resolve(opened));
    });
    const closedAt = await new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    expect(closedAt).toBeGreaterThan(0);
  });

  it('refuses connections beyond the limit and counts them', async () => {
    const sockets = await Promise.all(
      Array.from({ length: 4 }, () => new Promise<Socket>((resolve) => {
        const socket = connect(intake.tcpPort(), '127.0.0.1', () => resolve(socket));
      })),
    );
    await waitFor('4 open connections', async () => (await metric('hearth_intake_tcp_connections')) === 4);
    const refused = connect(intake.tcpPort(), '127.0.0.1');
    refused.on('error', () => undefined);
    await new Promise((resolve) => refused.on('close', resolve));
    expect(await metric('hearth_intake_tcp_connections_rejected_total{reason="limit"}')).toBe(1);
    for (const socket of sockets) socket.destroy();
  });
});

describe('uploads over HTTP', () => {
  const post = (body: string | Uint8Array, headers: Record<string, string>, query = ''): Promise<Response> =>
    fetch(`${intake.url}/intake/v1/logs${query}`, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body });

  it('answers 202 with the counts once the lines are on disk, and stores them', async () => {
    const lines = [bunnyLine(7000), bunnyLine(7001), 'garbage that is no log line', bunnyLine(7002, { host: 'nowhere.test' })];
    const response = await post(lines.join('\r\n'), { authorization: `Bearer ${intake.token}` });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2, dropped: { unknown_format: 1, unknown_site: 1 } });
    await waitFor('both stored', async () => (await urlsOf('example.com')).has('/posts/7001?n=7001'));
  });

  it('takes NDJSON of Caddy records, for the site named in the query when a line has none', async () => {
    const record = (n: number): string =>
      JSON.stringify({ ts: Date.now() / 1000, request: { client_ip: '192.0.2.1', method: 'GET', uri: `/caddy/${n}`, headers: { 'User-Agent': ['curl/8.5.0'] } }, status: 200, size: 10, duration: 0.002 });
    const response = await post([record(1), record(2)].join('\n'), { authorization: `Bearer ${intake.token}`, 'content-type': 'application/x-ndjson' }, '?site=shop.example.net&format=caddy');
    expect(response.status).toBe(202);
    await waitFor('the Caddy records', async () => (await store.count('shop.example.net')) >= 2);
    const [row] = await store.aggregate({ site: 'shop.example.net', ...RANGE, metrics: ['avg_duration_ms'], filters: [{ dimension: 'path', op: 'prefix', value: '/caddy/' }] });
    expect(row?.avg_duration_ms).toBeCloseTo(2, 5);
  });

  it('refuses an upload without a valid ingest token, and one for a site the token may not feed', async () => {
    expect((await post(bunnyLine(7100), {})).status).toBe(401);
    expect((await post(bunnyLine(7100), { authorization: 'Bearer hth_not-a-token' })).status).toBe(401);
    const wrongScope = await post(bunnyLine(7100), { authorization: `Bearer ${readOnlyToken}` });
    expect(wrongScope.status).toBe(403);
    const mixed = await post([bunnyLine(7101, { host: 'shop.example.net' }), bunnyLine(7102)].join('\n'), { authorization: `Bearer ${otherSiteToken}` });
    expect(mixed.status).toBe(403);
    expect(((await mixed.json()) as { error: { code: string } }).error.code).toBe('HEARTH_ERR_INTAKE_FORBIDDEN');
    const urls = await urlsOf('shop.example.net');
    expect(urls.has('/posts/7101?n=7101')).toBe(false);
  });

  it('refuses a token that may ingest nowhere before reading a byte of the body, and lets one that may feed some site through', async () => {
    const received = 'hearth_intake_lines_received_total{listener="http"}';
    const receivedBefore = await metric(received);
    /** Sends only the headers of an upload announcing a megabyte of gzip, and waits for the answer. */
    const headersOnly = (token: string): Promise<{ status: number; code: string }> =>
      new Promise((resolve, reject) => {
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': '1000000' };
        const upload = request(`${intake.url}/intake/v1/logs`, { method: 'POST', headers }, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            upload.destroy();
            resolve({ status: response.statusCode ?? 0, code: (JSON.parse(text) as { error: { code: string } }).error.code });
          });
        });
        upload.on('error', reject);
        upload.flushHeaders();
        setTimeout(() => {
          upload.destroy();
          reject(new Error('no answer without the body: the route waited for it'));
        }, 3000).unref();
      });
    for (const token of [readOnlyToken, siteLessToken]) expect(await headersOnly(token)).toEqual({ status: 403, code: 'HEARTH_ERR_INTAKE_FORBIDDEN' });
    expect(await metric(received)).toBe(receivedBefore);
    // Scoped to one site, or admin: past the early check, on to the per-site one.
    expect((await post(bunnyLine(7152, { host: 'shop.example.net' }), { authorization: `Bearer ${otherSiteToken}` })).status).toBe(202);
    expect((await post(bunnyLine(7153), { authorization: `Bearer ${adminToken}` })).status).toBe(202);
    await waitFor('both uploads stored', async () => (await urlsOf('shop.example.net')).has('/posts/7152?n=7152') && (await urlsOf('example.com')).has('/posts/7153?n=7153'));
  });

  it('takes a JSON array of records, as Fluent Bit and Vector batch them, and refuses a broken one', async () => {
    const auth = { authorization: `Bearer ${intake.token}`, 'content-type': 'application/json' };
    const record = (n: number): object => ({ ts: Date.now() / 1000, request: { client_ip: '192.0.2.9', method: 'GET', uri: `/array/${n}`, headers: {} }, status: 200, size: 10 });
    const response = await post(`\uFEFF [${JSON.stringify(record(1))},\n ${JSON.stringify(record(2))}, 42]`, auth, '?site=shop.example.net&format=caddy');
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2, dropped: { malformed: 1 } });
    await waitFor('the records of the array', async () => (await urlsOf('shop.example.net')).has('/array/2'));
    // An element nested a million deep: JSON.parse reads it, JSON.stringify cannot write it back.
    const received = 'hearth_intake_lines_received_total{listener="http"}';
    const receivedBefore = await metric(received);
    const deep = await post(`[${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}, ${JSON.stringify(record(3))}]`, auth, '?site=shop.example.net&format=caddy');
    expect(deep.status).toBe(202);
    expect(await deep.json()).toEqual({ accepted: 1, dropped: { malformed: 1 } });
    expect(await metric(received)).toBe(receivedBefore + 2);
    const broken = await post('[{"ts": 1,', auth, '?site=shop.example.net&format=caddy');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toContain('no JSON array');
  });

  it("takes nginx lines inside Vector's events, as its http sink sends a file source's lines", async () => {
    const event = (n: number): string =>
      JSON.stringify({ file: '/var/log/nginx/access.log', host: 'web1', source_type: 'file', timestamp: new Date().toISOString(), message: `192.0.2.4 - - [${nginxTime()}] "GET /vector/${n} HTTP/1.1" 200 5 "-" "curl/8.5.0"` });
    const response = await post([event(1), event(2)].join('\n'), { authorization: `Bearer ${intake.token}`, 'content-type': 'application/x-ndjson' }, '?site=shop.example.net');
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2, dropped: {} });
    await waitFor('the shipped lines', async () => (await urlsOf('shop.example.net')).has('/vector/2'));
  });

  it('takes bodies compressed with gzip, deflate or br, as log shippers send them', async () => {
    const auth = { authorization: `Bearer ${intake.token}` };
    const encoders = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
    for (const [index, [coding, encode]] of Object.entries(encoders).entries()) {
      const lines = [bunnyLine(7300 + index * 2), bunnyLine(7301 + index * 2)].join('\n');
      const response = await post(encode(lines), { ...auth, 'content-encoding': coding });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ accepted: 2, dropped: {} });
    }
    await waitFor('the compressed uploads', async () => (await urlsOf('example.com')).has('/posts/7304?n=7304'));
  });

  it('refuses a body in another coding, or not valid in its own, and a decompressed body over the limit', async () => {
    const auth = { authorization: `Bearer ${intake.token}` };
    const other = await post(bunnyLine(7400), { ...auth, 'content-encoding': 'compress' });
    expect(other.status).toBe(415);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('HEARTH_ERR_INTAKE_ENCODING');
    const corrupt = await post(Buffer.from('these bytes are not gzip'), { ...auth, 'content-encoding': 'gzip' });
    expect(corrupt.status).toBe(400);
    expect(((await corrupt.json()) as { error: { message: string } }).error.message).toContain('not valid gzip data');
    // About 20 KB on the wire, 20 MB once decompressed: the limit holds for what it decompresses to.
    const bomb = await post(gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x41)), { ...auth, 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    // Nothing is decompressed for a sender without a token.
    expect((await post(gzipSync(bunnyLine(7401)), { 'content-encoding': 'gzip' })).status).toBe(401);
  });

  it('refuses an unknown format or site by name', async () => {
    expect((await post(bunnyLine(7200), { authorization: `Bearer ${intake.token}` }, '?format=apache')).status).toBe(400);
    expect((await post(bunnyLine(7200), { authorization: `Bearer ${intake.token}` }, '?site=nowhere.test')).status).toBe(400);
  });
});

describe('the in-process ingest service', () => {
  it("stores another plugin's records and raw lines, with the same validation", async () => {
    const now = Date.now();
    const result = await intake.instance.ingest.submit([
      { site: 'shop.example.net', source: 'edge', ts: now, status: 200, method: 'GET', url: '/from-edge?x=1', bytes: 512, ip: '192.0.2.44', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0', durationMs: 3 },
      { site: 'shop.example.net', source: 'edge', ts: now, status: 700, url: '/bad', bytes: 1 },
      { site: 'not-a-site.test', source: 'edge', ts: now, status: 200, url: '/x', bytes: 1 },
    ]);
    expect(result).toEqual({ accepted: 1, dropped: { bad_status: 1, unknown_site: 1 } });
    const lines = await intake.instance.ingest.submitLines([bunnyLine(8001, { host: 'shop.example.net' })]);
    expect(lines).toEqual({ accepted: 1, dropped: {} });
    await waitFor('both records', async () => {
      const urls = await urlsOf('shop.example.net');
      return urls.has('/from-edge?x=1') && urls.has('/posts/8001?n=8001');
    });
    const [edge] = await store.aggregate({ site: 'shop.example.net', ...RANGE, metrics: ['pageviews', 'bytes'], groupBy: ['source'], filters: [{ dimension: 'source', op: 'eq', value: 'edge' }] });
    expect(edge).toEqual({ source: 'edge', pageviews: 1, bytes: 512 });
  });
});

describe('the source allowlist', () => {
  it('refuses TCP connections and UDP datagrams from addresses outside it', async () => {
    const closed = await startIntake({
      analytics: { engine: 'duckdb', duckdbFile: '', retentionMonths: 13 },
      store,
      config: { allow: ['10.0.0.0/8', '2001:db8::/32'], batch: { maxDelayMs: 50 } },
    });
    try {
      await sendTcp(closed.tcpPort(), `${bunnyLine(9000)}\n`).catch(() => undefined);
      await sendUdp(closed.udpPort(), [bunnyLine(9001)]);
      await waitFor('the refusals to be counted', async () => {
        const text = await closed.registry.metrics();
        return sampleValue(text, 'hearth_intake_tcp_connections_rejected_total{reason="not_allowed"}') === 1 && sampleValue(text, 'hearth_intake_records_dropped_total{reason="source_not_allowed"}') === 1;
      });
      expect((await urlsOf('example.com')).has('/posts/9000?n=9000')).toBe(false);
    } finally {
      await closed.stop();
      await removeDir(closed.dataDir);
    }
  });
});

describe('retention', () => {
  it('drops the months older than the retention when its daily job runs', async () => {
    const old = new Date();
    old.setUTCMonth(old.getUTCMonth() - 20);
    await store.insert([accessRecord({ site: 'old.example', ts: old.getTime() })]);
    expect(await store.count('old.example')).toBe(1);
    await intake.scheduler.run('intake-retention');
    expect(await store.count('old.example')).toBe(0);
    expect(await store.count('example.com')).toBeGreaterThan(0);
  });
});
