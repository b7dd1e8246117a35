/**
 * The one fixture of the query suites: a few thousand access records of three sites over the
 * spring of 2024 (dense over the last 61 days, sparse before, with rows on both sides of the
 * European and American DST changes), generated from a seeded PRNG so every run — and both
 * engines — see the same rows. Paths, referrers and countries include quotes, backslashes, SQL
 * comment sequences and non-ASCII text, so escaping is exercised by ordinary queries too.
 */
import type { AccessRecord } from '../../core/services/analytics/accessRecord.js';
import { seededRandom } from '../helpers/seededRandom.js';

/** The host's clock in the query suites: Sunday 30 June 2024, 15:30 UTC. */
export const FIXTURE_NOW = Date.UTC(2024, 5, 30, 15, 30);

/** The sites of the fixture, and how much of the traffic each gets. */
export const FIXTURE_SITES = ['example.com', 'blog.example.org', 'shop.example.net'] as const;

/** Paths whose text needs escaping in SQL: each appears in the fixture. */
export const HOSTILE_PATHS = [
  "/it's-quoted",
  '/back\\slash',
  '/100%_sure',
  '/café/menü',
  '/emoji-🎉',
  "/a'; DROP TABLE access; --",
  '/comment/*x*/',
  '/<img src=x onerror=alert(1)>',
] as const;

const PAGES = ['/', '/about', '/pricing', '/blog/', '/blog/first-post', '/blog/second-post', '/docs/getting-started', ...HOSTILE_PATHS];
const ASSETS = ['/style.css', '/app.js', '/logo.png', '/favicon.ico', '/fonts/inter.woff2'];
const REFERRERS = ['', '', '', 'news.ycombinator.com', 'www.google.com', 'duckduckgo.com', 't.co', "evil'ref.example", 'xn--caf-dma.example', 'back\\slash.example'];
const COUNTRIES = ['DE', 'DE', 'FR', 'US', 'US', 'GB', 'JP', 'IN', 'BR', ''];
const BROWSERS: readonly [string, string][] = [
  ['Chrome', 'Windows'],
  ['Chrome', 'Android'],
  ['Firefox', 'Linux'],
  ['Safari', 'iOS'],
  ['Safari', 'macOS'],
  ['Edge', 'Windows'],
  ['', ''],
];
const STATUSES = [200, 200, 200, 200, 200, 200, 200, 304, 301, 404, 404, 500, 503];
const CACHE = ['HIT', 'HIT', 'MISS', 'EXPIRED', ''];


function fileTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot < 0) return 'page';
  const extension = name.slice(dot + 1).toLowerCase();
  return extension === 'html' || extension === 'htm' ? 'page' : extension;
}

/** Builds the fixture: `count` records, always the same for the same arguments. */
export function fixtureRecords(count = 4000, seed = 20240630): AccessRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const dense = { start: Date.UTC(2024, 4, 1), end: Date.UTC(2024, 5, 30, 15) };
  const sparse = { start: Date.UTC(2024, 1, 20), end: dense.start };
  const records: AccessRecord[] = [];
  for (let index = 0; index < count; index++) {
    const span = index % 8 === 0 ? sparse : dense;
    const ts = Math.floor((span.start + random() * (span.end - span.start)) / 1000) * 1000;
    const site = random() < 0.6 ? FIXTURE_SITES[0] : random() < 0.75 ? FIXTURE_SITES[1] : FIXTURE_SITES[2];
    const bot = random() < 0.08;
    const path = random() < 0.7 ? pick(PAGES) : pick(ASSETS);
    const status = pick(STATUSES);
    const fileType = fileTypeOf(path);
    const [browser, os] = bot ? ['', ''] : pick(BROWSERS);
    const device = bot ? 'bot' : os === 'Android' || os === 'iOS' ? (random() < 0.2 ? 'tablet' : 'mobile') : 'desktop';
    const query = random() < 0.1 ? '?utm_source=newsletter' : '';
    records.push({
      site,
      ts,
      status,
      method: random() < 0.97 ? 'GET' : 'HEAD',
      url: path + query,
      path,
      fileType,
      isPageview: false,
      bytes: status === 304 ? 0 : 200 + Math.floor(random() * 50_000),
      durationMs: random() < 0.5 ? null : Math.floor(random() * 400),
      referrerHost: pick(REFERRERS),
      country: pick(COUNTRIES),
      device,
      browser,
      os,
      bot,
      cacheStatus: pick(CACHE),
      edgeLocation: pick(['DE', 'FR', 'NY', '']),
      requestId: `req-${index}`,
      // A few ids above 2^32, as real hashes are.
      visitorId: random() < 0.1 ? 2 ** 40 + Math.floor(random() * 50) : 1 + Math.floor(random() * 700),
      source: 'test',
    });
  }
  // Rows at the boundaries a zone's buckets are cut at: UTC and Berlin midnights, both DST days.
  const edges = [Date.UTC(2024, 5, 1), Date.UTC(2024, 4, 31, 22), Date.UTC(2024, 5, 29, 21, 59, 59), Date.UTC(2024, 2, 31, 1), Date.UTC(2024, 2, 10, 7), Date.UTC(2024, 5, 30, 15, 0)];
  for (const ts of edges) records.push({ ...records[0]!, ts, site: 'example.com', requestId: `edge-${ts}` });
  return records.map((record) => ({
    ...record,
    isPageview: record.method === 'GET' && record.fileType === 'page' && ((record.status >= 200 && record.status < 300) || record.status === 304) && !record.bot,
  }));
}
