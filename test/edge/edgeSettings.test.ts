/**
 * The edge as a self-hoster configures it: defaults from one place, TLS from certificate files
 * (and clear errors when they are wrong), settings refused with a code that says what to fix, and
 * the rules behind Cache-Control, byte ranges and Bunny lines.
 */
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError, isHearthError } from '../../core/errors/HearthError.js';
import { EDGE_DEFAULTS, resolveEdgeConfig, resolveEdgeSite } from '../../plugins/edge/config.js';
import { bunnyField, bunnyLine } from '../../plugins/edge/logs/bunnyLine.js';
import { decideRange } from '../../plugins/edge/http/rangeRequest.js';
import { acceptedEncodings } from '../../plugins/edge/http/acceptEncoding.js';
import { parseHttpDate } from '../../plugins/edge/http/httpDate.js';
import { CachePolicy, hasContentHash } from '../../plugins/edge/serve/cachePolicy.js';
import type { EdgeInstance } from '../../plugins/edge/index.js';
import { bootHost } from '../helpers/bootHost.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-edge-tls-'));
  for (const name of ['a', 'b']) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=tls.example', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`)], { stdio: 'ignore' });
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function hostFile(edge: string, site = '{}'): string {
  return `
hosts:
  services:
    port: 0
    log: { level: fatal }
    plugins:
      edge: ${edge}
sites:
  tls.example: ${site}
`;
}

async function startFailure(yaml: string): Promise<unknown> {
  return bootHost(yaml).then(
    async (booted) => {
      await booted.dispose();
      return undefined;
    },
    (error: unknown) => error,
  );
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const visit = (current: unknown): void => {
    if (current === undefined || chain.length > 20) return;
    chain.push(current);
    if (current instanceof AggregateError) for (const inner of current.errors) visit(inner);
    if (current instanceof Error) visit(current.cause);
  };
  visit(error);
  return chain;
}

describe('TLS', () => {
  it('serves https from the certificate and key files, with HSTS', async () => {
    const booted = await bootHost(hostFile(`{ port: 0, tls: { cert: "${join(dir, 'a.crt')}", key: "${join(dir, 'a.key')}" }, logs: { enabled: false } }`));
    try {
      const edge = booted.host.instance<EdgeInstance>('edge')!;
      expect(edge.url).toMatch(/^https:/);
      const answer = await new Promise<{ status: number; hsts: string | undefined }>((resolve, reject) => {
        const url = new URL(edge.url);
        request({ host: url.hostname, port: url.port, path: '/', headers: { host: 'tls.example' }, rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] });
        }).on('error', reject).end();
      });
      // Nothing is deployed: the bare 404, over TLS, with HSTS.
      expect(answer).toEqual({ status: 404, hsts: `max-age=${EDGE_DEFAULTS.hstsMaxAge}` });
    } finally {
      await booted.dispose();
    }
  });

  it('refuses to start with a missing file or a key that does not match the certificate', async () => {
    const missing = await startFailure(hostFile(`{ port: 0, tls: { cert: "${join(dir, 'nope.crt')}", key: "${join(dir, 'a.key')}" } }`));
    expect(causes(missing).some((error) => isHearthError(error, 'HEARTH_ERR_EDGE_TLS'))).toBe(true);
    expect(describeError(missing)).toContain('nope.crt');
    const mismatch = await startFailure(hostFile(`{ port: 0, tls: { cert: "${join(dir, 'a.crt')}", key: "${join(dir, 'b.key')}" } }`));
    expect(causes(mismatch).some((error) => isHearthError(error, 'HEARTH_ERR_EDGE_TLS'))).toBe(true);
  });
});

describe('settings', () => {
  it('fills every default from one place', () => {
    const config = resolveEdgeConfig({});
    expect(config).toMatchObject({ port: EDGE_DEFAULTS.port, revalidateMs: EDGE_DEFAULTS.revalidateMs, cache: { maxBytes: EDGE_DEFAULTS.cacheMaxBytes, maxFileBytes: EDGE_DEFAULTS.cacheMaxFileBytes } });
    expect(config.logs).toMatchObject({ enabled: true, batchRecords: EDGE_DEFAULTS.logBatchRecords, flushMs: EDGE_DEFAULTS.logFlushMs });
    expect(resolveEdgeSite(undefined)).toEqual({ cacheControl: [], cleanUrls: true, notFoundPage: '404.html', pullZoneId: '0' });
  });

  it('refuses a header the edge sets itself, and a trusted proxy that is not a CIDR, naming the setting', async () => {
    const reserved = await startFailure(hostFile('{ port: 0 }', '{ edge: { headers: { Content-Type: "text/plain" } } }'));
    expect(causes(reserved).some((error) => isHearthError(error, 'HEARTH_ERR_EDGE_CONFIG'))).toBe(true);
    expect(describeError(reserved)).toContain('sites.tls.example.edge.headers');
    const proxy = await startFailure(hostFile('{ port: 0, trustedProxies: ["10.0.0.0/99"] }'));
    expect(describeError(proxy)).toContain("'10.0.0.0/99'");
  });

  it('rejects header values that could split a response, in the host file itself', async () => {
    const error = await startFailure(hostFile('{ port: 0 }', '{ edge: { headers: { X-Bad: "a\\r\\nSet-Cookie: x=1" } } }'));
    expect(describeError(error)).toMatch(/headers/);
  });
});

describe('the rules', () => {
  it('recognises the content hashes bundlers write', () => {
    const hashed: readonly (readonly [string, string])[] = [
      ['webpack [name].[contenthash:8]', 'main.3f2a9b1c.js'],
      ['webpack [name].[contenthash] (20)', 'main.7e2b9c4d1a3f5e6b8c0d.js'],
      ['webpack asset', 'font.a1b2c3d4e5.woff2'],
      ['Create React App chunk', '787.1a2b3c4d.chunk.js'],
      ['Create React App media', 'logo.6ce24c58023cc2f8fd88fe9d219db6c6.svg'],
      ['Parcel', 'index.a1b2c3d4.js'],
      ['Next.js page chunk', '_app-0123abcd4567ef89.js'],
      ['Next.js chunk', '2443530c-7d590f93d1ab76bc.js'],
      ['Next.js CSS', '0123abcd4567ef89.css'],
      ['Sprockets (Rails)', 'application-2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881.css'],
      ['Propshaft (Rails)', 'application-8b8a7b4f.css'],
      ['Vite', 'index-BkTj3x9Q.js'],
      ['Vite', 'vendor-D1a2B3c4.js'],
      ['Astro', 'Layout.Dk3s9sd2.css'],
      ['SvelteKit', 'index.B0aXq7Lm.js'],
      ['esbuild', 'chunk-5FGH7JK2.mjs'],
      ['esbuild', 'index-GYWQ5QPL.css'],
    ];
    for (const [bundler, name] of hashed) expect(hasContentHash(name), `${bundler}: ${name}`).toBe(true);
  });

  it('never takes an ordinary name for a hash: a miss costs a revalidation, a false hash a year', () => {
    const ordinary = [
      'team-JaneSmith.jpg', 'screenshot-Dashboard.png', 'Inter-SemiBold.woff2', 'Roboto-BoldItalic.ttf', 'banner-summer2024.webp',
      'hero-image1920.jpg', 'photo-DSC01234.jpg', 'photo-DSC23456.jpg', 'logo-2x.png', 'IMG_20240101.jpg', 'hero-iPhone15Pro.png',
      'photo-iPhone15.jpg', 'pic-Win10Pro.png', 'user-Avatar01.png', 'hero-Mobile2x.png', 'btn-Save-v12.png', 'logo-cafe2024.png',
      'product-SKU12345.jpg', 'og-image-1200x630.png', 'icon-192x192.png', 'Roboto-Regular.woff2', 'fa-solid-900.woff2',
      'jquery-3.7.1.min.js', 'project-overview.png', 'main.js', 'file-20240101.css', 'deadbeef.js', 'photo.12345678.jpg',
      // A hash, but of a page: pages are never immutable.
      'index-BkTj3x9Q.html',
    ];
    for (const name of ordinary) expect(hasContentHash(name), name).toBe(false);
    // Hashes that read as words are missed, on purpose: they are served as any unhashed file is.
    for (const name of ['index-DiwrgTda.css', 'index-CGg_4Bif.js']) expect(hasContentHash(name), name).toBe(false);
  });

  it('picks Cache-Control: site rules, plugin rules, hashed names, the stored value, then defaults', () => {
    const policy = new CachePolicy([{ match: 'docs/**', value: 'site' }], [{ match: '*.pdf', value: 'plugin' }], true);
    expect(policy.valueFor('docs/a.html', 'stored', 'text/html')).toBe('site');
    expect(policy.valueFor('x/y.pdf', 'stored', 'application/pdf')).toBe('plugin');
    expect(policy.valueFor('app.3f2a9c1d.js', 'stored', 'text/javascript')).toBe('public, max-age=31536000, immutable');
    expect(policy.valueFor('a.css', 'stored', 'text/css')).toBe('stored');
    expect(policy.valueFor('a.html', undefined, 'text/html; charset=utf-8')).toBe('no-cache');
    expect(policy.valueFor('a.css', 'bad\r\nvalue', 'text/css')).toBe('public, max-age=3600');
  });

  it('answers one range, ignores what it cannot honour, and refuses ranges past the end', () => {
    expect(decideRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(decideRange('bytes=90-200', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(decideRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(decideRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    for (const unit of ['Bytes=0-9', 'BYTES=0-9']) expect(decideRange(unit, 100), unit).toEqual({ kind: 'partial', start: 0, end: 9 });
    // An empty file has no byte to name: any range on it is ignored.
    for (const range of ['bytes=0-', 'bytes=0-0', 'bytes=-1', 'bytes=5-9', 'bytes=-0']) expect(decideRange(range, 0), range).toEqual({ kind: 'full' });
    for (const ignored of ['bytes=0-1,5-6', 'items=0-9', 'bytes=9-2', 'bytes=-', 'bytes=abc', `bytes=${'9'.repeat(40)}-`]) expect(decideRange(ignored, 100), ignored).toEqual({ kind: 'full' });
    for (const past of ['bytes=100-', 'bytes=500-600', 'bytes=-0']) expect(decideRange(past, 100), past).toEqual({ kind: 'unsatisfiable' });
  });

  it('reads HTTP dates in their three forms, always GMT, and nothing else as a date', () => {
    const nov6 = Date.UTC(1994, 10, 6, 8, 49, 37);
    for (const date of ['Sun, 06 Nov 1994 08:49:37 GMT', 'Sunday, 06-Nov-94 08:49:37 GMT', 'Sun Nov  6 08:49:37 1994']) expect(parseHttpDate(date), date).toBe(nov6);
    expect(parseHttpDate('Sun Nov 16 08:49:37 1994')).toBe(Date.UTC(1994, 10, 16, 8, 49, 37));
    expect(parseHttpDate('Thu, 29 Feb 2024 23:59:59 GMT')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseHttpDate('Mon, 01 Jan 0050 00:00:00 GMT')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
    // RFC 850's two-digit year is never more than 50 years ahead.
    const year = new Date().getUTCFullYear();
    const ahead = String((year + 10) % 100).padStart(2, '0');
    const behind = String((year + 60) % 100).padStart(2, '0');
    expect(new Date(parseHttpDate(`Monday, 01-Jan-${ahead} 00:00:00 GMT`)!).getUTCFullYear()).toBe(year + 10);
    expect(new Date(parseHttpDate(`Monday, 01-Jan-${behind} 00:00:00 GMT`)!).getUTCFullYear()).toBe(year - 40);
    const notDates = [
      '2100', '9999', '2099-01-01', '2099-01-01T00:00:00Z', '0', '', 'now', 'Sun, 06 Nov 1994 08:49:37', 'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Nov 1994 08:49:37 +0000', 'sun, 06 nov 1994 08:49:37 gmt', 'Sun, 6 Nov 1994 08:49:37 GMT', 'Sun, 06 November 1994 08:49:37 GMT',
      'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 00 Nov 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 24:00:00 GMT', 'Sun, 06 Nov 1994 08:60:00 GMT',
      ' Sun, 06 Nov 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT', 'Sun, 06-Nov-94 08:49:37 GMT',
      'Sunday, 06-Nov-1994 08:49:37 GMT', 'Sun Nov 6 08:49:37 1994', 'Sun Nov  6 08:49:37 1994 GMT', 'Nov 6, 1994',
    ];
    for (const value of notDates) expect(parseHttpDate(value), value).toBeUndefined();
  });

  it('negotiates brotli and gzip, honouring q=0, * and the weights between them', () => {
    expect(acceptedEncodings('gzip, deflate, br')).toEqual({ br: true, gzip: true, preferred: undefined });
    expect(acceptedEncodings('br;q=0, gzip;q=0.8')).toEqual({ br: false, gzip: true, preferred: undefined });
    expect(acceptedEncodings('*')).toEqual({ br: true, gzip: true, preferred: undefined });
    expect(acceptedEncodings('identity')).toEqual({ br: false, gzip: false, preferred: undefined });
    expect(acceptedEncodings(undefined)).toEqual({ br: false, gzip: false, preferred: undefined });
    expect(acceptedEncodings('gzip;q=1.0, br;q=0.1')).toEqual({ br: true, gzip: true, preferred: 'gzip' });
    expect(acceptedEncodings('gzip;q=0.5, br')).toEqual({ br: true, gzip: true, preferred: 'br' });
    expect(acceptedEncodings('gzip;q=0.5, *;q=0.9')).toEqual({ br: true, gzip: true, preferred: 'br' });
  });

  it('writes Bunny lines of exactly twelve fields whatever the client sent', () => {
    const line = bunnyLine({
      site: 'a.example', host: 'a.example', ts: 1_700_000_000_000, status: 200, method: 'GET', url: 'http://a.example/x?q=a|b', bytes: 10,
      referrer: 'https://r.example/|', ip: '203.0.113.9', userAgent: 'agent\r\nwith|pipes', requestId: 'id-1', cacheStatus: 'HIT',
      edgeLocation: 'services', pullZoneId: '42', durationMs: 1, source: 'edge',
    });
    expect(line).toBe('HIT|200|1700000000000|10|42|203.0.113.9|https://r.example/%7C|http://a.example/x?q=a%7Cb|services|agentwith%7Cpipes|id-1|');
    // A configured edge location is made safe the same way, once, when the edge is set up.
    expect(bunnyField('eu|west\n', '-')).toBe('eu%7Cwest');
    expect(bunnyField('', '-')).toBe('-');
  });
});
