/**
 * Records for store tests: a plain, valid access record with the fields a test cares about changed.
 */
import type { AccessRecord } from '../../core/services/analytics/accessRecord.js';

/** A valid record: a human's page view of `/` on example.com, changed by `overrides`. */
export function accessRecord(overrides: Partial<AccessRecord> = {}): AccessRecord {
  return {
    site: 'example.com',
    ts: Date.UTC(2024, 2, 4, 9, 15),
    status: 200,
    method: 'GET',
    url: '/',
    path: '/',
    fileType: 'page',
    isPageview: true,
    bytes: 1000,
    durationMs: null,
    referrerHost: '',
    country: 'DE',
    device: 'desktop',
    browser: 'Chrome',
    os: 'Linux',
    bot: false,
    cacheStatus: 'HIT',
    edgeLocation: 'DE',
    requestId: '',
    visitorId: 1,
    source: 'test',
    ...overrides,
  };
}

/** The UTC instant of a date and time, for readable fixtures. */
export function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** A month of example.com traffic whose sums are written out in the tests below. */
export const MARCH: readonly AccessRecord[] = [
  accessRecord({ ts: utc(2024, 3, 4, 9, 15), visitorId: 1, durationMs: 10, country: 'DE' }),
  accessRecord({ ts: utc(2024, 3, 4, 9, 45), visitorId: 2, durationMs: 30, country: 'FR', referrerHost: 'news.ycombinator.com' }),
  accessRecord({ ts: utc(2024, 3, 4, 10, 5), url: '/about?ref=x', path: '/about', bytes: 500, visitorId: 1 }),
  accessRecord({ ts: utc(2024, 3, 5, 12), url: '/style.css', path: '/style.css', fileType: 'css', isPageview: false, bytes: 200, visitorId: 1 }),
  accessRecord({ ts: utc(2024, 3, 6, 8), status: 503, isPageview: false, bytes: 0, visitorId: 3, country: 'FR' }),
  accessRecord({ ts: utc(2024, 3, 10, 23, 59, 59), path: '/about', url: '/about', bot: true, device: 'bot', isPageview: false, visitorId: 4 }),
  accessRecord({ ts: utc(2024, 3, 11), visitorId: 2, device: 'mobile', country: 'FR' }),
];
/** One record in April. */
export const APRIL: readonly AccessRecord[] = [accessRecord({ ts: utc(2024, 4, 1, 0, 0, 1), visitorId: 5 })];
/** One record of another site. */
export const ELSEWHERE: readonly AccessRecord[] = [accessRecord({ site: 'other.org', ts: utc(2024, 3, 4, 9, 15), visitorId: 1 })];
/** March 2024, as a query range. */
export const MARCH_RANGE = { from: new Date(utc(2024, 3, 1)), to: new Date(utc(2024, 4, 1)) };
