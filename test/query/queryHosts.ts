/**
 * Two real hosts booted from YAML for the query suites — one on an embedded DuckDB file, one on
 * the test ClickHouse server (a fresh database per suite) — both running the query plugin, both
 * loaded with the same fixture through the host's own analytics service, both on a manual clock.
 */
import { inject } from 'vitest';
import type { AccessRecord } from '../../core/services/analytics/accessRecord.js';
import type { AnalyticsStore } from '../../core/services/analytics/analyticsStore.js';
import { ManualClock } from '../../core/services/clock.js';
import { hashToken } from '../../core/services/tokens.js';
import { uniqueDatabase } from '../analytics/clickhouseForSuite.js';
import { bootHost, type BootedHost } from '../helpers/bootHost.js';
import { FIXTURE_NOW, FIXTURE_SITES } from './queryFixture.js';

/** The engines every suite compares. */
export const ENGINES = ['duckdb', 'clickhouse'] as const;

/** An engine name. */
export type EngineName = (typeof ENGINES)[number];

/** Tokens of the host file: the reader of every site, one of the blog only, one without read. */
export const TOKENS = {
  reader: 'hth_query-reader-of-every-site',
  blog: 'hth_query-reader-of-the-blog',
  pusher: 'hth_query-push-only',
} as const;

/** What a suite gets: both hosts and a way to call their API. */
export interface QueryHosts {
  /** The hosts started, by engine. */
  readonly hosts: Readonly<Record<EngineName, BootedHost>>;
  readonly clock: ManualClock;
  /** Calls `path` (under the host's URL) on one engine's host. */
  call(engine: EngineName, path: string, init?: RequestInit & { token?: string | null }): Promise<{ status: number; headers: Headers; body: any }>;
  /** `POST /query/v1/stats` with the reader's token. */
  stats(engine: EngineName, body: unknown): Promise<{ status: number; headers: Headers; body: any }>;
  stop(): Promise<void>;
}

function analyticsSection(engine: EngineName): string {
  if (engine === 'duckdb') return 'analytics: { engine: duckdb }';
  return `analytics: { engine: clickhouse, clickhouse: { url: "${inject('clickhouse').url}", database: ${uniqueDatabase('query')} } }`;
}

/** `plugins.query` for suites that send many requests on a clock that never moves: no rate limit. */
export const UNLIMITED = '{ rateLimit: { enabled: false } }';

/** The host file of one engine; `queryConfig` is the YAML of `plugins.query` (a flow map). */
export function queryHostFile(engine: EngineName, queryConfig = UNLIMITED): string {
  return `
hosts:
  services:
    port: 0
    log: { level: warn }
    ${analyticsSection(engine)}
    plugins:
      query: ${queryConfig}
sites:
${FIXTURE_SITES.map((site) => `  ${site}: {}`).join('\n')}
tokens:
  reader: { hash: "${hashToken(TOKENS.reader)}", sites: ["*"], scopes: [read] }
  blog: { hash: "${hashToken(TOKENS.blog)}", sites: [blog.example.org], scopes: [read] }
  pusher: { hash: "${hashToken(TOKENS.pusher)}", sites: ["*"], scopes: [push] }
`;
}

/** Boots a host per engine (both unless told) and loads `records` into each one's store. */
export async function startQueryHosts(records: readonly AccessRecord[], queryConfig = UNLIMITED, engines: readonly EngineName[] = ENGINES): Promise<QueryHosts> {
  const clock = new ManualClock(FIXTURE_NOW);
  const booted: Partial<Record<EngineName, BootedHost>> = {};
  try {
    for (const engine of engines) {
      const host = await bootHost(queryHostFile(engine, queryConfig), { clock });
      booted[engine] = host;
      const store = host.host.container.cradle.analytics as AnalyticsStore;
      const outcome = await store.insert(records);
      if (outcome.inserted !== records.length) throw new Error(`${engine} stored ${outcome.inserted} of ${records.length} records`);
    }
  } catch (error) {
    await Promise.all(Object.values(booted).map((host) => host?.dispose()));
    throw error;
  }
  const hosts = booted as Record<EngineName, BootedHost>;
  const call: QueryHosts['call'] = async (engine, path, init = {}) => {
    const { token = TOKENS.reader, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    const response = await fetch(`${hosts[engine].url}${path}`, { ...rest, headers });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body };
  };
  return {
    hosts,
    clock,
    call,
    stats: (engine, body) => call(engine, '/query/v1/stats', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    stop: async () => {
      await Promise.all(Object.values(hosts).map((host) => host.dispose()));
    },
  };
}

/** An answer without what legitimately differs between engines (`engine`, `took_ms`). */
export function comparable(body: { data?: unknown; meta?: Record<string, unknown> }): unknown {
  const { engine: _engine, took_ms: _took, ...meta } = body.meta ?? {};
  return { data: body.data, meta };
}
