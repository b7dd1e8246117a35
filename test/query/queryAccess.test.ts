/**
 * Who may read what: a token with `read` on a site sees that site and no other, requests without
 * a valid token are turned away, a busy token is slowed down with Retry-After, browsers on listed
 * origins may call the API, and the host's /metrics counts queries by engine, lint-clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { fixtureRecords } from './queryFixture.js';
import { ENGINES, TOKENS, startQueryHosts, type QueryHosts } from './queryHosts.js';

const STATS_ORIGIN = 'https://stats.example.com';
let api: QueryHosts;

beforeAll(async () => {
  api = await startQueryHosts(fixtureRecords(300), `{ rateLimit: { requestsPerMinute: 6, burst: 3 }, cors: { origins: ["${STATS_ORIGIN}"] } }`);
});
afterAll(async () => {
  await api?.stop();
});

const json = { 'content-type': 'application/json' };
const body = (site: string) => JSON.stringify({ site, metrics: ['requests'] });

describe.each(ENGINES)('access to the analytics API on %s', (engine) => {
  it('turns away a request without a token, with a wrong one, or with another scheme: 401', async () => {
    for (const token of [null, 'hth_not-a-token-of-this-host', `${TOKENS.reader} extra`]) {
      const answer = await api.call(engine, '/query/v1/stats', { method: 'POST', token, headers: json, body: body('example.com') });
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('HEARTH_ERR_HTTP_UNAUTHORIZED');
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="hearth-query"');
    }
    const basic = await api.call(engine, '/query/v1/sites', { token: null, headers: { authorization: `Basic ${Buffer.from(`x:${TOKENS.reader}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
  });

  it('lets a token read only its own sites: 403 elsewhere, and for a token without read', async () => {
    const blog = await api.call(engine, '/query/v1/stats', { method: 'POST', token: TOKENS.blog, headers: json, body: body('blog.example.org') });
    expect(blog.status).toBe(200);
    expect(blog.body.meta.site).toBe('blog.example.org');
    const other = await api.call(engine, '/query/v1/stats', { method: 'POST', token: TOKENS.blog, headers: json, body: body('example.com') });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('HEARTH_ERR_HTTP_FORBIDDEN');
    const pusher = await api.call(engine, '/query/v1/stats', { method: 'POST', token: TOKENS.pusher, headers: json, body: body('example.com') });
    expect(pusher.status).toBe(403);
    expect((await api.call(engine, '/query/v1/sites', { token: TOKENS.pusher })).status).toBe(403);
    expect((await api.call(engine, '/query/v1/sites', { token: TOKENS.reader })).body.data).toEqual([{ site: 'blog.example.org' }, { site: 'example.com' }, { site: 'shop.example.net' }]);
  });

  it('slows a busy token down with 429 and Retry-After, and lets it back once the bucket refills', async () => {
    // The blog token used two requests of its burst of 3 above (the 200 and the 403).
    const statuses: number[] = [];
    let retryAfter = '';
    for (let index = 0; index < 3; index++) {
      const answer = await api.call(engine, '/query/v1/sites', { token: TOKENS.blog });
      statuses.push(answer.status);
      retryAfter = answer.headers.get('retry-after') ?? retryAfter;
      if (answer.status === 429) expect(answer.body.error.code).toBe('HEARTH_ERR_QUERY_RATE_LIMITED');
    }
    expect(statuses.at(-1)).toBe(429);
    // 6 a minute: one request every 10 s.
    expect(retryAfter).toBe('10');
    expect((await api.call(engine, '/query/v1/sites', { token: TOKENS.reader })).status).toBe(200);
    api.clock.advance(10_000);
    expect((await api.call(engine, '/query/v1/sites', { token: TOKENS.blog })).status).toBe(200);
    expect((await api.call(engine, '/query/v1/sites', { token: TOKENS.blog })).status).toBe(429);
  });

  it('answers CORS preflights from listed origins only, and marks answers (errors too) for them', async () => {
    const preflight = await api.call(engine, '/query/v1/stats', {
      method: 'OPTIONS',
      token: null,
      headers: { origin: STATS_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(STATS_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const stranger = await api.call(engine, '/query/v1/stats', { method: 'OPTIONS', token: null, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.code).toBe('HEARTH_ERR_QUERY_CORS');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const unauthorized = await api.call(engine, '/query/v1/stats', { method: 'POST', token: null, headers: { ...json, origin: STATS_ORIGIN }, body: body('example.com') });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(STATS_ORIGIN);
    const elsewhere = await api.call(engine, '/query/v1/sites', { token: TOKENS.reader, headers: { origin: 'https://evil.example' } });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    expect(elsewhere.headers.get('vary')).toMatch(/Origin/);
  });

  it('counts queries and their latency by engine on /metrics, which promtool accepts', async () => {
    const exposition = await (await fetch(`${api.hosts[engine].url}/metrics`)).text();
    const ok = new RegExp(`^hearth_query_requests_total\\{engine="${engine}",outcome="ok"\\} (\\d+)$`, 'm').exec(exposition);
    expect(Number(ok?.[1])).toBeGreaterThanOrEqual(3);
    expect(exposition).toMatch(new RegExp(`^hearth_query_requests_total\\{engine="${engine}",outcome="unauthorized"\\} [1-9]`, 'm'));
    expect(exposition).toMatch(new RegExp(`^hearth_query_requests_total\\{engine="${engine}",outcome="rate_limited"\\} [1-9]`, 'm'));
    expect(exposition).toMatch(new RegExp(`^hearth_query_store_queries_total\\{engine="${engine}"\\} [1-9]`, 'm'));
    expect(exposition).toMatch(new RegExp(`^hearth_query_request_duration_seconds_count\\{engine="${engine}"\\} [1-9]`, 'm'));
    const lint = await promtoolCheckMetrics(exposition);
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
  });
});
