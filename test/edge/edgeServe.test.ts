/**
 * A self-hoster pushes a site with git and visitors load it from the edge: pages by name and
 * alias, clean URLs, the site's 404 page, conditional and range requests, HEAD, compressed
 * representations, Cache-Control rules and security headers — over real HTTP, after a real push.
 */
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobIdOf } from '../../core/services/releases/releaseLayout.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { edgeGet, rawGet, rawRequest, type EdgeResponse } from './edgeClient.js';
import { bootEdgeHost, TOKENS_YAML, type EdgeHost } from './edgeHost.js';

const YAML = `
hosts:
  services:
    port: 0
    log: { level: warn }
    plugins:
      git: {}
      edge:
        port: 0
        revalidateMs: 0
        logs: { enabled: false }
sites:
  example.com:
    aliases: [www.example.com]
    edge:
      cacheControl:
        - { match: "downloads/**", value: "private, max-age=60" }
      headers:
        Permissions-Policy: "camera=()"
        X-Frame-Options: ""
  empty.example: {}
${TOKENS_YAML}`;

const STYLE = `body { margin: 0; font-family: sans-serif }\n${'.card { padding: 1rem; border: 1px solid #ddd }\n'.repeat(60)}`;
const SCRIPT = `console.log("app");\n${'export const value = 42;\n'.repeat(80)}`;
// Over cache.maxFileBytes (2 MiB): served from storage, not memory.
const BIG = randomBytes(3 * 1024 * 1024);
const FILES = {
  'index.html': '<!doctype html><link rel="stylesheet" href="/css/site.css"><h1>Home</h1>\n',
  'about.html': '<h1>About</h1>\n',
  'docs/index.html': '<h1>Docs</h1>\n',
  '404.html': '<h1>Nothing here</h1>\n',
  'css/site.css': STYLE,
  'js/app.js': SCRIPT,
  'js/app.js.br': brotliCompressSync(Buffer.from(SCRIPT)),
  'js/app.js.gz': gzipSync(Buffer.from(SCRIPT)),
  'assets/index-BkTj3x9Q.js': 'export {};\n',
  'img/team-JaneSmith.jpg': 'a portrait, replaced when Jane has a new one\n',
  'downloads/notes.txt': 'notes\n',
  'downloads/empty.txt': '',
  'downloads/cold.txt': 'never asked for before the half-closed request\n',
  'media/big.bin': BIG,
};

let host: EdgeHost;
const get = (path: string, headers: Record<string, string> = {}, site = 'example.com', method = 'GET') => edgeGet(host.url, site, path, { headers, method });

beforeAll(async () => {
  host = await bootEdgeHost(YAML);
  await host.push('example.com', FILES, 'first version');
});

afterAll(async () => {
  await host?.dispose();
});

describe('a pushed site on the edge', () => {
  it('serves the home page by the site name and by its alias, with its blob id as ETag', async () => {
    for (const name of ['example.com', 'www.example.com', 'WWW.Example.com:8088']) {
      const page = await get('/', {}, name);
      expect(page.status, name).toBe(200);
      expect(page.text).toBe(FILES['index.html']);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers.etag).toBe(`"${blobIdOf(Buffer.from(FILES['index.html']))}"`);
      expect(Date.parse(page.headers['last-modified']!)).not.toBeNaN();
    }
  });

  it('maps clean URLs and directories, redirecting to the canonical form', async () => {
    expect((await get('/about')).text).toBe(FILES['about.html']);
    expect((await get('/about.html')).text).toBe(FILES['about.html']);
    const toSlash = await get('/docs?lang=en');
    expect(toSlash.status).toBe(308);
    expect(toSlash.headers.location).toBe('/docs/?lang=en');
    expect((await get('/docs/')).text).toBe(FILES['docs/index.html']);
    const noSlash = await get('/about/');
    expect(noSlash.status).toBe(308);
    expect(noSlash.headers.location).toBe('/about');
  });

  it('keeps the whole query through a clean-URL redirect, escaping what a Location cannot hold', async () => {
    const long = `utm_source=${'x'.repeat(1500)}&lang=en`;
    expect((await get(`/docs?${long}`)).headers.location).toBe(`/docs/?${long}`);
    // A raw `#` (no browser sends one) would end the Location's query: it is escaped.
    const raw = await rawRequest(host.url, rawGet('/about/?q=a#b&tag="c"', 'example.com'));
    expect(raw.status).toBe(308);
    expect(raw.headers.location).toBe('/about?q=a%23b&tag="c"');
  });

  it("answers a missing page with the site's 404.html and status 404", async () => {
    const missing = await get('/no/such/page');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe(FILES['404.html']);
    expect(missing.headers['cache-control']).toBe('no-cache');
    expect(missing.headers.etag).toBeUndefined();
  });

  it('answers a host that is no site, and a site never deployed, with the same bare 404', async () => {
    const unknown = await get('/', {}, 'attacker.example');
    const empty = await get('/', {}, 'empty.example');
    const noHost = await edgeGet(host.url, '', '/');
    for (const answer of [unknown, empty]) {
      expect(answer.status).toBe(404);
      expect(answer.text).toBe('Not found\n');
      expect(answer.text).not.toContain('example.com');
    }
    expect([400, 404]).toContain(noHost.status);
  });

  it('sends security headers, with the site’s own additions and removals', async () => {
    const page = await get('/');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(page.headers['content-security-policy']).toBe("frame-ancestors 'self'");
    expect(page.headers['permissions-policy']).toBe('camera=()');
    expect(page.headers['x-frame-options']).toBeUndefined();
    expect(page.headers['strict-transport-security']).toBeUndefined();
    expect(page.headers['x-request-id']).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
  });

  it('gives every response of a file its own request id and the length of its own body', async () => {
    const answers = await Promise.all([get('/'), get('/'), get('/about'), get('/')]);
    const ids = answers.map((answer) => answer.headers['x-request-id']);
    expect(new Set(ids).size).toBe(answers.length);
    for (const answer of answers) expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.text));
  });

  it('sets Cache-Control by the site’s rules, hashed asset names, then what the deploy stored', async () => {
    expect((await get('/downloads/notes.txt')).headers['cache-control']).toBe('private, max-age=60');
    expect((await get('/assets/index-BkTj3x9Q.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/img/team-JaneSmith.jpg')).headers['cache-control']).toBe('public, max-age=3600');
    expect((await get('/')).headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    expect((await get('/css/site.css')).headers['cache-control']).toBe('public, max-age=3600');
  });
});

describe('conditional requests', () => {
  it('answers 304 to a current ETag, in a list or weak, and 200 to a stale one', async () => {
    const { headers } = await get('/css/site.css');
    for (const tag of [headers.etag!, `"0000", ${headers.etag!}`, `W/${headers.etag!}`, '*']) {
      const again = await get('/css/site.css', { 'if-none-match': tag });
      expect(again.status, tag).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(headers.etag);
    }
    expect((await get('/css/site.css', { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified, unless an ETag says otherwise', async () => {
    const { headers } = await get('/about');
    expect((await get('/about', { 'if-modified-since': headers['last-modified']! })).status).toBe(304);
    expect((await get('/about', { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(200);
    expect((await get('/about', { 'if-modified-since': headers['last-modified']!, 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('ignores an If-Modified-Since that is not an HTTP date, however far ahead it seems', async () => {
    const { headers } = await get('/about');
    // An hour after Last-Modified, in the obsolete asctime form (`Sun Nov  6 08:49:37 1994`).
    const [weekday = '', day = '', month = '', year = '', time = ''] = new Date(Date.parse(headers['last-modified']!) + 3_600_000).toUTCString().split(' ');
    const asctime = `${weekday.slice(0, 3)} ${month} ${day.replace(/^0/, ' ')} ${time} ${year}`;
    expect((await get('/about', { 'if-modified-since': asctime })).status, asctime).toBe(304);
    for (const since of ['2100', '9999', '2099-01-01', 'Fri, 01 Jan 2100 00:00:00 UTC', 'tomorrow']) {
      const answer = await get('/about', { 'if-modified-since': since });
      expect(answer.status, since).toBe(200);
      expect(answer.text).toBe(FILES['about.html']);
    }
  });

  it('gives each representation an ETag of its own bytes: deployed siblings strong, compression on the fly weak', async () => {
    const css = blobIdOf(Buffer.from(STYLE));
    expect((await get('/css/site.css')).headers.etag).toBe(`"${css}"`);
    expect((await get('/css/site.css', { 'accept-encoding': 'br' })).headers.etag).toBe(`W/"${css}-br"`);
    expect((await get('/css/site.css', { 'accept-encoding': 'gzip' })).headers.etag).toBe(`W/"${css}-gz"`);
    expect((await get('/js/app.js')).headers.etag).toBe(`"${blobIdOf(Buffer.from(SCRIPT))}"`);
    expect((await get('/js/app.js', { 'accept-encoding': 'br' })).headers.etag).toBe(`"${blobIdOf(FILES['js/app.js.br'])}-br"`);
    expect((await get('/js/app.js', { 'accept-encoding': 'gzip' })).headers.etag).toBe(`"${blobIdOf(FILES['js/app.js.gz'])}-gz"`);
  });

  it('answers 304 only to the ETag of the representation it would send, and sends that ETag and Vary', async () => {
    for (const [path, encoding] of [['/css/site.css', 'br'], ['/css/site.css', 'gzip'], ['/js/app.js', 'br'], ['/js/app.js', 'gzip']] as const) {
      const what = `${path} ${encoding}`;
      const plain = await get(path);
      const encoded = await get(path, { 'accept-encoding': encoding });
      const tag = encoded.headers.etag!;
      for (const held of [tag, `W/${tag.replace(/^W\//, '')}`, tag.replace(/^W\//, ''), `"0000", ${tag}`]) {
        const again = await get(path, { 'accept-encoding': encoding, 'if-none-match': held });
        expect(again.status, `${what} ${held}`).toBe(304);
        expect(again.headers.etag, what).toBe(tag);
        expect(again.headers.vary, what).toBe('Accept-Encoding');
        expect(again.headers['content-encoding'], what).toBeUndefined();
      }
      // The identity ETag does not validate the compressed bytes, nor the other way round.
      const other = await get(path, { 'accept-encoding': encoding, 'if-none-match': plain.headers.etag! });
      expect(other.status, what).toBe(200);
      expect(other.headers['content-encoding'], what).toBe(encoding);
      expect(other.body.equals(encoded.body), what).toBe(true);
      const identity = await get(path, { 'if-none-match': tag });
      expect(identity.status, what).toBe(200);
      expect(identity.headers.etag, what).toBe(plain.headers.etag);
      const plain304 = await get(path, { 'if-none-match': plain.headers.etag! });
      expect(plain304.status, what).toBe(304);
      expect(plain304.headers.etag, what).toBe(plain.headers.etag);
    }
  });
});

describe('If-Match and If-Unmodified-Since', () => {
  it('answers 412 to an If-Match that does not name the representation strongly, and goes on otherwise', async () => {
    const { headers, text } = await get('/css/site.css');
    for (const tag of [headers.etag!, `"0000", ${headers.etag!}`, '*']) {
      const kept = await get('/css/site.css', { 'if-match': tag });
      expect(kept.status, tag).toBe(200);
      expect(kept.text, tag).toBe(text);
    }
    for (const tag of ['"stale"', `W/${headers.etag!}`]) {
      const failed = await get('/css/site.css', { 'if-match': tag });
      expect(failed.status, tag).toBe(412);
      expect(failed.text).toBe('Precondition failed\n');
      expectPlainAnswer(failed);
    }
    // Compressed on the fly, the representation has a weak ETag: only `*` passes a strong comparison.
    const br = await get('/css/site.css', { 'accept-encoding': 'br' });
    expect((await get('/css/site.css', { 'accept-encoding': 'br', 'if-match': br.headers.etag! })).status).toBe(412);
    expect((await get('/css/site.css', { 'accept-encoding': 'br', 'if-match': '*' })).status).toBe(200);
    // A deployed sibling's ETag is strong.
    const sibling = await get('/js/app.js', { 'accept-encoding': 'br' });
    expect((await get('/js/app.js', { 'accept-encoding': 'br', 'if-match': sibling.headers.etag! })).status).toBe(200);
    // A range is refused too, rather than cut from a file the client does not hold.
    expect((await get('/media/big.bin', { range: 'bytes=0-9', 'if-match': '"stale"' })).status).toBe(412);
  });

  it('answers 412 when modified after If-Unmodified-Since; a value that is no HTTP date is ignored', async () => {
    const { headers } = await get('/about');
    const modified = Date.parse(headers['last-modified']!);
    expect((await get('/about', { 'if-unmodified-since': headers['last-modified']! })).status).toBe(200);
    expect((await get('/about', { 'if-unmodified-since': new Date(modified + 60_000).toUTCString() })).status).toBe(200);
    const failed = await get('/about', { 'if-unmodified-since': new Date(modified - 1000).toUTCString() });
    expect(failed.status).toBe(412);
    expectPlainAnswer(failed);
    for (const value of ['1970', '1999-01-01', 'yesterday']) expect((await get('/about', { 'if-unmodified-since': value })).status, value).toBe(200);
  });

  it('evaluates in RFC 9110 order: If-Match before If-Unmodified-Since, both before If-None-Match', async () => {
    const { headers } = await get('/about');
    const earlier = new Date(Date.parse(headers['last-modified']!) - 1000).toUTCString();
    // A passing If-Match means If-Unmodified-Since is not looked at.
    expect((await get('/about', { 'if-match': headers.etag!, 'if-unmodified-since': earlier })).status).toBe(200);
    // A failing precondition wins over a matching If-None-Match.
    expect((await get('/about', { 'if-match': '"stale"', 'if-none-match': headers.etag! })).status).toBe(412);
    expect((await get('/about', { 'if-unmodified-since': earlier, 'if-none-match': headers.etag! })).status).toBe(412);
    const current = await get('/about', { 'if-match': headers.etag!, 'if-none-match': headers.etag! });
    expect(current.status).toBe(304);
    expect(current.headers.etag).toBe(headers.etag);
  });
});

describe('range requests', () => {
  it('serves one range of a small file from memory and of a large file from storage', async () => {
    for (const [path, content] of [['/about', Buffer.from(FILES['about.html'])], ['/media/big.bin', BIG]] as const) {
      const part = await get(path, { range: 'bytes=2-9' });
      expect(part.status, path).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 2-9/${content.length}`);
      expect(part.body.equals(content.subarray(2, 10))).toBe(true);
    }
    const tail = await get('/media/big.bin', { range: 'bytes=-100' });
    expect(tail.body.equals(BIG.subarray(BIG.length - 100))).toBe(true);
    const open = await get('/media/big.bin', { range: `bytes=${BIG.length - 5}-` });
    expect(open.body.equals(BIG.subarray(BIG.length - 5))).toBe(true);
  });

  it('honours If-Range naming the file by its strong ETag or exact HTTP date, and nothing else', async () => {
    const { headers } = await get('/about');
    const modified = headers['last-modified']!;
    // A client that accepts brotli still gets its range cut from the file as stored.
    for (const ifRange of [headers.etag!, modified]) {
      const part = await get('/about', { range: 'bytes=0-3', 'if-range': ifRange, 'accept-encoding': 'br' });
      expect(part.status, ifRange).toBe(206);
      expect(part.text).toBe(FILES['about.html'].slice(0, 4));
    }
    for (const ifRange of [`W/${headers.etag!}`, new Date(Date.parse(modified)).toISOString(), new Date(Date.parse(modified) + 1000).toUTCString(), '2100']) {
      const whole = await get('/about', { range: 'bytes=0-3', 'if-range': ifRange });
      expect(whole.status, ifRange).toBe(200);
      expect(whole.text).toBe(FILES['about.html']);
    }
  });

  it('reads the unit in any case, and sends an empty file whole whatever range is asked', async () => {
    const part = await get('/about', { range: 'Bytes=2-9' });
    expect(part.status).toBe(206);
    expect(part.text).toBe(FILES['about.html'].slice(2, 10));
    for (const range of ['bytes=0-', 'bytes=-1', 'bytes=0-0']) {
      const empty = await get('/downloads/empty.txt', { range });
      expect(empty.status, range).toBe(200);
      expect(empty.headers['content-length'], range).toBe('0');
      expect(empty.headers['content-range'], range).toBeUndefined();
      expect(empty.body.length, range).toBe(0);
    }
  });

  it('answers 416 past the end, and the whole file to several ranges or a stale If-Range', async () => {
    const past = await get('/about', { range: 'bytes=9999-' });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${FILES['about.html'].length}`);
    expectPlainAnswer(past);
    // A hashed asset's year-long caching must not reach a cache with the error.
    const asset = await get('/assets/index-BkTj3x9Q.js', { range: 'bytes=500-' });
    expect(asset.status).toBe(416);
    expectPlainAnswer(asset);
    const many = await get('/media/big.bin', { range: `bytes=${Array.from({ length: 500 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')}` });
    expect(many.status).toBe(200);
    expect(many.body.equals(BIG)).toBe(true);
    const stale = await get('/media/big.bin', { range: 'bytes=0-9', 'if-range': '"0123"' });
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(BIG.length);
  });
});

describe('HEAD, methods and representations', () => {
  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await get('/media/big.bin', {}, 'example.com', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(BIG.length));
    expect(head.body.length).toBe(0);
  });

  it('answers a client that half-closes after its request, from storage as from a cold cache', async () => {
    // Neither file is in memory yet, so neither answer is written in the request's own turn.
    const cold = await rawRequest(host.url, rawGet('/downloads/cold.txt', 'example.com'), { halfClose: true });
    expect(cold.status).toBe(200);
    expect(cold.body.toString()).toBe(FILES['downloads/cold.txt']);
    const streamed = await rawRequest(host.url, rawGet('/media/big.bin', 'example.com'), { halfClose: true });
    expect(streamed.status).toBe(200);
    expect(streamed.body.equals(BIG)).toBe(true);
  });

  it('refuses other methods with 405 and requests with a body with 413', async () => {
    const post = await get('/', {}, 'example.com', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const withBody = await rawRequest(host.url, `GET / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 100\r\n\r\n${'x'.repeat(100)}`);
    expect(withBody.status).toBe(413);
    expect(withBody.headers.connection).toBe('close');
  });

  it('serves deployed .br and .gz siblings to clients that accept them', async () => {
    const br = await get('/js/app.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.body.equals(FILES['js/app.js.br'])).toBe(true);
    const gz = await get('/js/app.js', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);
    const plain = await get('/js/app.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(SCRIPT);
  });

  it('sends the encoding the client weighs higher, deployed or compressed on the fly', async () => {
    for (const path of ['/js/app.js', '/css/site.css']) {
      expect((await get(path, { 'accept-encoding': 'gzip;q=1.0, br;q=0.1' })).headers['content-encoding'], path).toBe('gzip');
      expect((await get(path, { 'accept-encoding': 'gzip;q=0.5, br;q=0.9' })).headers['content-encoding'], path).toBe('br');
      expect((await get(path, { 'accept-encoding': 'gzip, br' })).headers['content-encoding'], path).toBe('br');
    }
  });

  it('compresses text without siblings on the fly, once, and serves the cached result after', async () => {
    const first = await get('/css/site.css', { 'accept-encoding': 'br' });
    expect(first.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(first.body).toString()).toBe(STYLE);
    expect(first.body.length).toBeLessThan(STYLE.length / 4);
    const gz = await get('/css/site.css', { 'accept-encoding': 'gzip' });
    expect(gunzipSync(gz.body).toString()).toBe(STYLE);
    const hitsBefore = await cacheHits();
    await get('/css/site.css', { 'accept-encoding': 'br' });
    expect(await cacheHits()).toBe(hitsBefore + 1);
    // Binary content is never compressed.
    expect((await get('/media/big.bin', { 'accept-encoding': 'br' })).headers['content-encoding']).toBeUndefined();
  });
});

describe('deploys and metrics', () => {
  it('gives a corrected .br sibling a new ETag, so clients holding the broken bytes get the new ones', async () => {
    const before = await get('/js/app.js', { 'accept-encoding': 'br' });
    const corrected = brotliCompressSync(Buffer.from(SCRIPT), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } });
    expect(corrected.equals(FILES['js/app.js.br'])).toBe(false);
    await host.push('example.com', { 'js/app.js.br': corrected }, 'recompress app.js.br');
    const after = await get('/js/app.js', { 'accept-encoding': 'br', 'if-none-match': before.headers.etag! });
    expect(after.status).toBe(200);
    expect(after.headers.etag).toBe(`"${blobIdOf(corrected)}-br"`);
    expect(after.body.equals(corrected)).toBe(true);
    // The file itself did not change, nor did its ETag.
    expect((await get('/js/app.js')).headers.etag).toBe(`"${blobIdOf(Buffer.from(SCRIPT))}"`);
  });

  it('serves the next push as soon as it is live', async () => {
    await host.push('example.com', { 'index.html': '<h1>Home, v2</h1>\n', 'about.html': null }, 'second version');
    expect((await get('/')).text).toBe('<h1>Home, v2</h1>\n');
    expect((await get('/about')).status).toBe(404);
  });

  it('/metrics counts requests by site and class, bytes, latency and the cache, and passes promtool', async () => {
    const exposition = await (await fetch(`${host.booted.url}/metrics`)).text();
    expect(exposition).toMatch(/hearth_edge_requests_total\{site="example.com",class="2xx"\} [1-9]/);
    expect(exposition).toMatch(/hearth_edge_requests_total\{site="example.com",class="4xx"\} [1-9]/);
    expect(exposition).toMatch(/hearth_edge_requests_total\{site="\(unknown\)",class="4xx"\} [1-9]/);
    expect(exposition).toMatch(/hearth_edge_response_bytes_total\{site="example.com"\} [1-9]/);
    expect(exposition).toMatch(/hearth_edge_request_duration_seconds_count\{site="example.com"\} [1-9]/);
    expect(exposition).toMatch(/hearth_edge_cache_misses_total\{site="example.com"\} [1-9]/);
    expect(exposition).toMatch(/hearth_edge_cache_bytes [1-9]/);
    const lint = await promtoolCheckMetrics(exposition);
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
  });
});

/** An answer of the edge's own: the site's headers, plain text, never stored, nothing of the file. */
function expectPlainAnswer(answer: EdgeResponse): void {
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['permissions-policy']).toBe('camera=()');
  for (const name of ['etag', 'last-modified', 'vary', 'accept-ranges', 'content-encoding']) expect(answer.headers[name], name).toBeUndefined();
}

async function cacheHits(): Promise<number> {
  const exposition = await (await fetch(`${host.booted.url}/metrics`)).text();
  return Number(/hearth_edge_cache_hits_total\{site="example.com"\} (\d+)/.exec(exposition)?.[1] ?? 0);
}
