/**
 * What the intake keeps of a request, and what it refuses: sites from the host file only, times
 * within the window, sane numbers, enrichment — and no IP address anywhere.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/services/clock.js';
import { TokenRegistry } from '../../core/services/tokens.js';
import type { RawAccess } from '../../plugins/intake/records/rawAccess.js';
import { RecordBuilder } from '../../plugins/intake/records/recordBuilder.js';
import { RequestIdWindow } from '../../plugins/intake/records/requestIdWindow.js';
import { SiteResolver } from '../../plugins/intake/records/siteResolver.js';
import { fileTypeOf, referrerHost, urlParts } from '../../plugins/intake/records/urlParts.js';
import { UserAgentReader } from '../../plugins/intake/records/userAgentInfo.js';
import { ipv4Number, SALT_FILE, VisitorHasher } from '../../plugins/intake/records/visitorHasher.js';

const NOW = Date.UTC(2024, 2, 4, 12, 0, 0);
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const FIREFOX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

let dir: string;
let clock: ManualClock;
let builder: RecordBuilder;

function raw(overrides: Partial<RawAccess> = {}): RawAccess {
  return { source: 'bunny', ts: NOW - 1000, status: 200, url: 'https://example.com/', bytes: 100, ip: '203.0.113.9', userAgent: FIREFOX, ...overrides };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-builder-'));
  clock = new ManualClock(NOW);
  const tokens = new TokenRegistry(
    {
      'example.com': { name: 'example.com', aliases: ['www.example.com', 'example.b-cdn.net'], plugins: {} },
      'blog.example.org': { name: 'blog.example.org', aliases: [], plugins: {} },
    },
    {},
  );
  builder = new RecordBuilder({
    sites: new SiteResolver(tokens, new Map([['390', 'blog.example.org']])),
    agents: new UserAgentReader(),
    visitors: new VisitorHasher(dir),
    clock,
    window: { maxAgeMs: 7 * 86_400_000, maxFutureMs: 300_000 },
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('which site a request belongs to', () => {
  it('follows the URL host through names and aliases, any case, any port', () => {
    expect(builder.build(raw({ url: 'https://WWW.Example.com:8443/x' }))).toMatchObject({ site: 'example.com' });
    expect(builder.build(raw({ url: 'https://example.b-cdn.net/x' }))).toMatchObject({ site: 'example.com' });
    expect(builder.build(raw({ url: '/x', host: 'blog.example.org' }))).toMatchObject({ site: 'blog.example.org' });
  });

  it("falls back to Bunny's pull zone, then to the listener's site", () => {
    expect(builder.build(raw({ url: 'https://zone-390.b-cdn.net/x', pullZoneId: '390' }))).toMatchObject({ site: 'blog.example.org' });
    expect(builder.build(raw({ url: '/x' }), 'example.com')).toMatchObject({ site: 'example.com' });
  });

  it('drops a request for a site the host file does not have, even when the sender names it', () => {
    expect(builder.build(raw({ url: 'https://evil.test/x' }))).toBe('unknown_site');
    expect(builder.build(raw({ site: 'evil.test', url: '/x' }))).toBe('unknown_site');
    expect(builder.build(raw({ url: '/x' }))).toBe('unknown_site');
  });
});

describe('what is refused', () => {
  it('refuses times outside the window: older than the limit, or beyond the allowed skew ahead', () => {
    expect(builder.build(raw({ ts: NOW - 8 * 86_400_000 }))).toBe('too_old');
    expect(builder.build(raw({ ts: NOW + 10 * 60_000 }))).toBe('in_future');
    expect(builder.build(raw({ ts: NOW + 60_000 }))).toMatchObject({ site: 'example.com' });
  });

  it('refuses statuses outside 100–599 and numbers out of range', () => {
    expect(builder.build(raw({ status: 99 }))).toBe('bad_status');
    expect(builder.build(raw({ status: 600 }))).toBe('bad_status');
    expect(builder.build(raw({ status: 200.5 }))).toBe('bad_number');
    expect(builder.build(raw({ bytes: -1 }))).toBe('out_of_range');
    expect(builder.build(raw({ bytes: 1e15 }))).toBe('out_of_range');
    expect(builder.build(raw({ ts: Number.NaN }))).toBe('bad_number');
  });
});

describe('what is kept', () => {
  it('enriches a page view: path without query, file type, referrer host, device, browser, OS, country', () => {
    const record = builder.build(raw({ url: 'https://example.com/blog/post.html?utm=x#top', referrer: 'https://News.YCombinator.com/item?id=1', userAgent: IPHONE, country: 'de', cacheStatus: 'MISS' }));
    expect(record).toMatchObject({
      url: '/blog/post.html?utm=x#top',
      path: '/blog/post.html',
      fileType: 'page',
      isPageview: true,
      method: 'GET',
      referrerHost: 'news.ycombinator.com',
      device: 'mobile',
      browser: 'Mobile Safari',
      os: 'iOS',
      bot: false,
      country: 'DE',
      cacheStatus: 'MISS',
    });
  });

  it('flags bots, and never counts them, assets, errors or non-GETs as page views', () => {
    expect(builder.build(raw({ userAgent: GOOGLEBOT }))).toMatchObject({ bot: true, device: 'bot', isPageview: false });
    expect(builder.build(raw({ userAgent: '' }))).toMatchObject({ bot: true, isPageview: false });
    expect(builder.build(raw({ url: '/app.JS' }), 'example.com')).toMatchObject({ fileType: 'js', isPageview: false });
    expect(builder.build(raw({ status: 404 }))).toMatchObject({ isPageview: false });
    expect(builder.build(raw({ status: 304 }))).toMatchObject({ isPageview: true });
    expect(builder.build(raw({ method: 'POST' }))).toMatchObject({ isPageview: false });
    expect(builder.build(raw({ method: 'G E T' }))).toMatchObject({ method: 'OTHER' });
  });

  it('stores no IP address: the visitor id is a salted hash, the same all day, different the next day', async () => {
    const first = builder.build(raw({ ip: '198.51.100.23' }));
    const again = builder.build(raw({ ip: '198.51.100.23', url: 'https://example.com/other' }));
    const otherPerson = builder.build(raw({ ip: '198.51.100.24' }));
    expect(JSON.stringify(first, (_key, value) => (typeof value === 'bigint' ? value.toString() : value))).not.toContain('198.51.100.23');
    if (typeof first === 'string' || typeof again === 'string' || typeof otherPerson === 'string') throw new Error('dropped');
    expect(again.visitorId).toBe(first.visitorId);
    expect(otherPerson.visitorId).not.toBe(first.visitorId);
    const salt = JSON.parse(await readFile(join(dir, SALT_FILE), 'utf8')) as { day: string; salt: string };
    expect(salt.day).toBe('2024-03-04');
    clock.advance(86_400_000);
    const tomorrow = builder.build(raw({ ip: '198.51.100.23', ts: clock.now().getTime() }));
    if (typeof tomorrow === 'string') throw new Error('dropped');
    expect(tomorrow.visitorId).not.toBe(first.visitorId);
    const rotated = JSON.parse(await readFile(join(dir, SALT_FILE), 'utf8')) as { day: string; salt: string };
    expect(rotated.day).toBe('2024-03-05');
    expect(rotated.salt).not.toBe(salt.salt);
  });

  it("keeps the day's salt across a restart, so visitors are not counted twice", () => {
    const now = clock.now().getTime();
    const before = new VisitorHasher(dir).visitorId('example.com', '192.0.2.1', FIREFOX, 1, now);
    const after = new VisitorHasher(dir).visitorId('example.com', '192.0.2.1', FIREFOX, 2, now);
    expect(after).toBe(before);
  });

  it('gives IPv6 and IPv4 visitors stable ids alike, and reads only real dotted quads as IPv4', () => {
    const hasher = new VisitorHasher(dir);
    const now = clock.now().getTime();
    const v6 = hasher.visitorId('example.com', '2001:db8::1', FIREFOX, 1, now);
    expect(hasher.visitorId('example.com', '2001:db8::1', FIREFOX, 1, now)).toBe(v6);
    expect(hasher.visitorId('example.com', '2001:db8::2', FIREFOX, 1, now)).not.toBe(v6);
    expect(hasher.visitorId('blog.example.org', '2001:db8::1', FIREFOX, 1, now)).not.toBe(v6);
    expect(ipv4Number('203.0.113.9')).toBe(((203 * 256 + 0) * 256 + 113) * 256 + 9);
    expect(ipv4Number('255.255.255.255')).toBe(2 ** 32 - 1);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.', '::ffff:1.2.3.4', '01234.1.1.1', 'a.b.c.d']) expect(ipv4Number(bad), bad).toBe(-1);
  });

  it('cuts over-long values to their limits', () => {
    const record = builder.build(raw({ url: `https://example.com/${'a'.repeat(10_000)}`, requestId: 'r'.repeat(500), edgeLocation: 'E'.repeat(100) }));
    expect(record).toMatchObject({ url: `/${'a'.repeat(2047)}`, requestId: 'r'.repeat(128), edgeLocation: 'E'.repeat(32) });
  });
});

describe('user agents', () => {
  it('remembers ordinary user agents, and parses over-long ones each time instead of keeping whole lines', () => {
    const reader = new UserAgentReader();
    expect(reader.read(FIREFOX).key).toBe(reader.read(FIREFOX).key);
    const long = `${FIREFOX} ${'x'.repeat(2000)}`;
    const first = reader.read(long);
    const again = reader.read(long);
    expect(again.key).not.toBe(first.key);
    expect({ ...again, key: 0 }).toEqual({ ...first, key: 0 });
    expect(first.browser).toBe('Firefox');
  });
});

describe('URL parts', () => {
  it('reads hosts, paths and file types without a URL parser', () => {
    expect(urlParts('https://user:pw@Example.COM:8080?x=1')).toEqual({ host: 'example.com', url: '/?x=1', path: '/', fileType: 'page' });
    expect(urlParts('http://[2001:db8::1]:80/a.PNG')).toMatchObject({ host: '[2001:db8::1]', path: '/a.PNG', fileType: 'png' });
    expect(urlParts('/dir.d/file')).toMatchObject({ host: undefined, fileType: 'page' });
    expect(fileTypeOf('/archive.tar.gz')).toBe('gz');
    expect(fileTypeOf('/.well-known/x')).toBe('page');
    expect(fileTypeOf('/weird.ext-with-dash')).toBe('page');
    expect(referrerHost('android-app://com.google.android.gm/')).toBe('com.google.android.gm');
    expect(referrerHost('-')).toBe('');
    expect(referrerHost('not a url')).toBe('');
  });
});

describe('request-id de-duplication', () => {
  it('drops a request id seen recently for the same site, and forgets the oldest when full', () => {
    const window = new RequestIdWindow(4);
    expect(window.remember('example.com', 'a')).toBe(true);
    expect(window.remember('example.com', 'a')).toBe(false);
    expect(window.remember('blog.example.org', 'a')).toBe(true);
    expect(window.remember('example.com', '')).toBe(true);
    expect(window.remember('example.com', '')).toBe(true);
    for (const id of ['b', 'c', 'd', 'e', 'f']) window.remember('example.com', id);
    expect(window.remember('example.com', 'a')).toBe(true);
  });

  it('never takes a new id for a duplicate across hundreds of thousands, and catches every recent repeat', () => {
    const window = new RequestIdWindow(200_000);
    const ids = Array.from({ length: 300_000 }, (_, index) => index.toString(16).padStart(32, '0'));
    expect(ids.every((id) => window.remember('example.com', id))).toBe(true);
    expect(ids.slice(-100_000).every((id) => !window.remember('example.com', id))).toBe(true);
  });
});
