/**
 * An attacker tries to read outside the site's release: path traversal in every disguise, other
 * sites' files, the storage layout itself, the host's own files, absurd headers and Range lists.
 * Every answer is 400, 404, 414 or 431 — or, for targets that decode to a real path of the site,
 * that file — and no response ever carries a byte of anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRequestTarget } from '../../plugins/edge/http/requestTarget.js';
import { rawGet, rawRequest } from './edgeClient.js';
import { bootEdgeHost, TOKENS_YAML, type EdgeHost } from './edgeHost.js';

const YAML = `
hosts:
  services:
    port: 0
    log: { level: warn }
    plugins:
      git: {}
      edge: { port: 0, revalidateMs: 0, logs: { enabled: false } }
sites:
  example.com: {}
  secret.example: {}
${TOKENS_YAML}`;

/** Strings that must never appear in a response: other sites, storage internals, the host's files. */
const FORBIDDEN = ['SECRET-SITE-MARKER', 'STORAGE-KEY-MARKER', '"format"', 'sha256:', 'root:x:0:0', 'hosts:', '"bundles"'];

/** Targets that try to escape; each must be refused (400/404) or too large (414/431). */
const ESCAPES: readonly (string | Buffer)[] = [
  '/../../../../etc/passwd',
  '/..',
  '/../secret.example/index.html',
  '/..%2f..%2f..%2fetc%2fpasswd',
  '/..%2Fsecret.example%2Findex.html',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
  '/.%2e/.%2e/etc/passwd',
  '/%252e%252e%252f%252e%252e%252fetc%252fpasswd',
  '/%25%32%65%25%32%65/etc/passwd',
  '/..%5c..%5cetc%5cpasswd',
  '/..\\..\\etc\\passwd',
  '/%5c%5csecret.example%5cindex.html',
  '/index.html%00.txt',
  '/%00',
  '/%0d%0aSet-Cookie:%20x=1',
  '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  '/%c0%af',
  '/%e0%80%ae%e0%80%ae/etc/passwd',
  '/%f0%80%80%ae',
  '/%ff%fe%fd',
  '/%ed%a0%80',
  '/%',
  '/%2',
  '/%zz',
  Buffer.from([0x2f, 0xc0, 0xae, 0xc0, 0xae, 0x2f]),
  Buffer.from([0x2f, 0xff, 0x2f]),
  '/./index.html',
  '/css/./site.css',
  '//etc/passwd',
  '///secret.example/index.html',
  '/css//site.css',
  '/%ef%bc%8e%ef%bc%8e/%ef%bc%8e%ef%bc%8e/etc/passwd',
  '/index.html::$DATA',
  '/index.html;.txt',
  '/live.json',
  '/sites/secret.example/live.json',
  '/releases/',
  '/bundles/',
  '/.git/config',
  '/hosts.yaml',
  'http://secret.example/index.html',
  '*',
  'index.html',
  `/${'a/'.repeat(1500)}`,
  `/${'%2e%2e%2f'.repeat(300)}`,
];

/** Targets that decode to paths inside the site: served from its release, and only from it. */
const INSIDE = ['/css%2fsite.css', '/%69ndex.html', '/index.html?../../secret.example', '/index.html#../x', '/?%2e%2e'];

let host: EdgeHost;

beforeAll(async () => {
  host = await bootEdgeHost(YAML);
  await host.push('secret.example', { 'index.html': 'SECRET-SITE-MARKER\n', 'css/site.css': 'SECRET-SITE-MARKER\n' });
  await host.push('example.com', { 'index.html': '<h1>public</h1>\n', 'css/site.css': 'body{}\n', '404.html': 'public 404\n' });
  await host.storage.put('secrets/token.txt', 'STORAGE-KEY-MARKER');
});

afterAll(async () => {
  await host?.dispose();
});

function expectClean(body: Buffer, what: string): void {
  const text = body.toString('latin1');
  for (const marker of FORBIDDEN) expect(text, `${what} leaked ${marker}`).not.toContain(marker);
}

describe('the traversal corpus', () => {
  it('refuses every escape with 400/404 (414/431 when too large) and leaks nothing', async () => {
    for (const target of ESCAPES) {
      const what = Buffer.isBuffer(target) ? target.toString('hex') : target.slice(0, 60);
      const answer = await rawRequest(host.url, rawGet(target, 'example.com'));
      expect([400, 404, 414, 431], what).toContain(answer.status);
      expectClean(answer.raw, what);
    }
  });

  it('serves targets that decode to the site’s own files from its release only', async () => {
    for (const target of INSIDE) {
      const answer = await rawRequest(host.url, rawGet(target, 'example.com'));
      expect([200, 400, 404], target).toContain(answer.status);
      if (answer.status === 200) expect(['<h1>public</h1>\n', 'body{}\n'], target).toContain(answer.body.toString());
      expectClean(answer.raw, target);
    }
  });

  it('answers a target with an empty segment as any missing page: the site’s own 404 page', async () => {
    for (const target of ['//etc/passwd', '/css//site.css', '//']) {
      const answer = await rawRequest(host.url, rawGet(target, 'example.com'));
      expect(answer.status, target).toBe(404);
      expect(answer.body.toString(), target).toBe('public 404\n');
    }
  });

  it('maps Host headers only to whole site names: tricks get the bare 404', async () => {
    for (const hostHeader of ['example.com/../secret.example', 'example.com@secret.example', 'secret.example.', 'example.com:80:80', 'xn--example', `${'a'.repeat(300)}.example.com`]) {
      const answer = await rawRequest(host.url, rawGet('/index.html', hostHeader));
      if (hostHeader === 'secret.example.') {
        // A fully-qualified name with its root dot is that site: its own files, legitimately.
        expect(answer.status).toBe(200);
        continue;
      }
      expect([400, 404], hostHeader).toContain(answer.status);
      expectClean(answer.raw, hostHeader);
    }
  });

  it('answers a request with more than one Host header with 400, whichever names a site', async () => {
    for (const second of ['secret.example', 'example.com', 'attacker.example', '']) {
      const answer = await rawRequest(host.url, rawGet('/index.html', 'example.com', `Host: ${second}\r\n`));
      expect(answer.status, second).toBe(400);
      expect(answer.headers.connection, second).toBe('close');
      expectClean(answer.raw, second);
      expect(answer.body.toString(), second).not.toContain('public');
    }
  });

  it('answers absurd headers with 431 and a huge Range list with the whole file, never a multipart', async () => {
    const huge = await rawRequest(host.url, rawGet('/', 'example.com', `X-Junk: ${'a'.repeat(20_000)}\r\n`));
    expect(huge.status).toBe(431);
    const many = await rawRequest(host.url, rawGet('/', 'example.com', Array.from({ length: 500 }, (_, i) => `X-H${i}: ${'b'.repeat(40)}\r\n`).join('')));
    expect(many.status).toBe(431);
    // A target over limits.maxTargetBytes is 414, unless the head it is in is over maxHeaderBytes:
    // node's parser counts the request line in the head and answers 431 before the edge sees it.
    expect((await rawRequest(host.url, rawGet(`/${'a'.repeat(3_000)}`, 'example.com'))).status).toBe(414);
    expect((await rawRequest(host.url, rawGet(`/${'a'.repeat(20_000)}`, 'example.com'))).status).toBe(431);
    const ranges = `Range: bytes=${Array.from({ length: 1000 }, (_, i) => `${i}-${i}`).join(',')}\r\n`;
    const answer = await rawRequest(host.url, rawGet('/index.html', 'example.com', ranges));
    expect([200, 431]).toContain(answer.status);
    expect(answer.headers['content-type'] ?? '').not.toContain('multipart');
    const bad = await rawRequest(host.url, rawGet('/index.html', 'example.com', 'Range: bytes=0-1,2-3\r\n'));
    expect(bad.status).toBe(200);
    expect(bad.body.toString()).toBe('<h1>public</h1>\n');
  });
});

describe('request targets, as the edge reads them', () => {
  it('decodes once, so double encoding stays literal and can only miss', () => {
    expect(parseRequestTarget('/%252e%252e/x', 2048)).toEqual({ ok: true, path: '%2e%2e/x', directory: false, query: '' });
    expect(parseRequestTarget('/caf%C3%A9/', 2048)).toEqual({ ok: true, path: 'café/', directory: true, query: '' });
    expect(parseRequestTarget('/a?b=..%2f', 2048)).toEqual({ ok: true, path: 'a', directory: false, query: 'b=..%2f' });
  });

  it('refuses dot segments however spelt, control characters, backslashes and bad UTF-8 with 400', () => {
    for (const target of ['/..', '/a/../b', '/%2e%2E', '/a%2f..%2fb', '/%00', '/a%5cb', '/%c0%ae', '/%80', '/%e2%82']) {
      expect(parseRequestTarget(target, 2048), target).toMatchObject({ ok: false, status: 400 });
    }
    expect(parseRequestTarget(`/${'x'.repeat(3000)}`, 2048)).toMatchObject({ ok: false, status: 414 });
  });
});
