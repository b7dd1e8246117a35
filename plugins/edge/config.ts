/**
 * The edge plugin's settings (`hosts.<host>.plugins.edge`, {@link edgeConfigSchema}) and each
 * site's (`sites.<site>.edge`, {@link edgeSiteSchema}). Every default is in {@link EDGE_DEFAULTS},
 * with its unit and the reason for its number.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Bytes, Millis, NamedMap, OneOf, Port } from '../../core/config/schemaTypes.js';

const strict = { additionalProperties: false } as const;

/** Defaults, with why each number is what it is. */
export const EDGE_DEFAULTS = {
  /** 8088: unprivileged, clear of the control plane's usual ports; a proxy (Caddy) or NAT maps 80/443 to it. */
  port: 8088,
  /** 1 s between checks of a site's live pointer: a deploy is visible within a second, storage sees one head a second per busy site. */
  revalidateMs: 1_000,
  /** 64 MiB of file contents and compressed variants in memory: every page and asset of most sites. */
  cacheMaxBytes: 64 * 1024 * 1024,
  /**
   * Files up to 2 MiB are held in memory — photos and scripts included, the bound already used for
   * compressing on the fly; larger ones (video, archives) stream from storage. Read from storage,
   * a 1 MiB file was served at an eighth of nginx's rate (bench:edge): a read per request.
   */
  cacheMaxFileBytes: 2 * 1024 * 1024,
  /** Below 1 KiB compression saves less than a packet and costs a round of CPU. */
  compressMinBytes: 1_024,
  /** Up to 2 MiB is compressed on the fly (read whole, compressed once, cached); larger files go as they are. */
  compressMaxBytes: 2 * 1024 * 1024,
  /** Brotli quality 5 and gzip level 6: most of the size gain at a few ms per 100 KiB; the result is cached. */
  brotliQuality: 5,
  gzipLevel: 6,
  /** 2,048 bytes of request target: longer URLs are an attack or a mistake (browsers send far less). */
  maxTargetBytes: 2_048,
  /** 16 KiB of request headers, as nginx's large_client_header_buffers; more is answered 431. */
  maxHeaderBytes: 16_384,
  /** 10 s to send the request headers: ends slow-loris connections. */
  headersTimeoutMs: 10_000,
  /** 60 s without a byte moving on a connection closes it (slow readers of large files). */
  idleTimeoutMs: 60_000,
  /** 5 s of keep-alive between requests, as browsers and proxies expect. */
  keepAliveTimeoutMs: 5_000,
  /** 10 s for requests in flight to finish when the host stops. */
  stopTimeoutMs: 10_000,
  /** HSTS for one year, sent only over the edge's own TLS. */
  hstsMaxAge: 31_536_000,
  /** Loopback proxies (Caddy on the same machine) may tell the client address in X-Forwarded-For. */
  trustedProxies: ['127.0.0.1/32', '::1/128'],
  /** Up to 1,000 records per hand-over: one spool write or one TCP write of ~300 KB. */
  logBatchRecords: 1_000,
  /** Records leave at least every 500 ms, so analytics lag by about a second. */
  logFlushMs: 500,
  /** 100,000 records queued at most (~50 MB) while the sink is slow or down; beyond, new ones are dropped and counted. */
  logMaxQueued: 100_000,
  /** 1,200 bytes per UDP datagram: under any path MTU, so no fragmentation. */
  udpDatagramBytes: 1_200,
  /** Reconnects to a TCP intake start at 250 ms and back off to 30 s. */
  reconnectInitialMs: 250,
  reconnectMaxMs: 30_000,
  /** 5 s to hand over queued records when the host stops. */
  logStopFlushMs: 5_000,
} as const;

const HEADER_NAME = '^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,64}$';

const cacheRuleSchema = Type.Object(
  {
    match: Type.String({ minLength: 1, maxLength: 200, description: 'Glob over the file path (`*`, `?`, `**`); without `/` it matches the file name.' }),
    value: Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x20-\\x7e]+$', description: 'The Cache-Control value for matching files.' }),
  },
  strict,
);

const headersSchema = NamedMap(HEADER_NAME, "header names are letters, digits and !#$%&'*+.^_`|~-", Type.String({ maxLength: 4096, pattern: '^[\\x20-\\x7e]*$' }), {
  description: "Response headers added to every file; '' removes one of the default security headers.",
});

/** `hosts.<host>.plugins.edge`. */
export const edgeConfigSchema = Type.Object(
  {
    port: Port({ default: EDGE_DEFAULTS.port, description: 'port the edge serves sites on; 0 picks a free one' }),
    listen: Type.Optional(Type.String({ minLength: 1, description: "address to bind (default: the host's listen address)" })),
    tls: Type.Optional(
      Type.Object(
        {
          cert: Type.String({ minLength: 1, description: 'PEM certificate chain file' }),
          key: Type.String({ minLength: 1, description: 'PEM private key file' }),
        },
        strict,
      ),
    ),
    revalidateMs: Millis({ default: EDGE_DEFAULTS.revalidateMs, description: "how often a site's live release is checked, at most" }),
    cache: Type.Object(
      {
        maxBytes: Bytes({ default: EDGE_DEFAULTS.cacheMaxBytes }),
        maxFileBytes: Bytes({ default: EDGE_DEFAULTS.cacheMaxFileBytes }),
      },
      { ...strict, default: {} },
    ),
    compression: Type.Object(
      {
        minBytes: Bytes({ default: EDGE_DEFAULTS.compressMinBytes }),
        maxBytes: Bytes({ default: EDGE_DEFAULTS.compressMaxBytes, maximum: 64 * 1024 * 1024 }),
        brotliQuality: Type.Integer({ minimum: 0, maximum: 11, default: EDGE_DEFAULTS.brotliQuality }),
        gzipLevel: Type.Integer({ minimum: 1, maximum: 9, default: EDGE_DEFAULTS.gzipLevel }),
      },
      { ...strict, default: {} },
    ),
    limits: Type.Object(
      {
        maxTargetBytes: Bytes({ default: EDGE_DEFAULTS.maxTargetBytes, minimum: 256, maximum: 65_536 }),
        maxHeaderBytes: Bytes({ default: EDGE_DEFAULTS.maxHeaderBytes, minimum: 1_024, maximum: 1_048_576 }),
        headersTimeoutMs: Millis({ default: EDGE_DEFAULTS.headersTimeoutMs, minimum: 100 }),
        idleTimeoutMs: Millis({ default: EDGE_DEFAULTS.idleTimeoutMs, minimum: 100 }),
        keepAliveTimeoutMs: Millis({ default: EDGE_DEFAULTS.keepAliveTimeoutMs }),
        stopTimeoutMs: Millis({ default: EDGE_DEFAULTS.stopTimeoutMs }),
      },
      { ...strict, default: {} },
    ),
    hstsMaxAge: Type.Integer({ minimum: 0, default: EDGE_DEFAULTS.hstsMaxAge, description: 'Strict-Transport-Security max-age (seconds) over TLS; 0 sends none' }),
    trustedProxies: Type.Array(Type.String({ minLength: 1 }), { default: [...EDGE_DEFAULTS.trustedProxies], description: 'CIDRs whose X-Forwarded-For/-Proto are believed' }),
    immutableHashedAssets: Type.Boolean({ default: true, description: 'cache assets with a content hash in their name for a year' }),
    cacheControl: Type.Array(cacheRuleSchema, { default: [], description: 'Cache-Control rules for every site, after the site’s own; first match wins' }),
    headers: Type.Optional(headersSchema),
    logs: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        intake: Type.Optional(
          Type.Object(
            {
              address: Type.String({ pattern: '^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):\\d{1,5}$', description: 'host:port of an intake listener' }),
              protocol: OneOf(['tcp', 'udp'] as const, { default: 'tcp' }),
            },
            strict,
          ),
        ),
        location: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'edge location written in each record (default: the host name)' })),
        batchRecords: Type.Integer({ minimum: 1, maximum: 50_000, default: EDGE_DEFAULTS.logBatchRecords }),
        flushMs: Millis({ minimum: 10, default: EDGE_DEFAULTS.logFlushMs }),
        maxQueued: Type.Integer({ minimum: 1, default: EDGE_DEFAULTS.logMaxQueued }),
        stopFlushMs: Millis({ default: EDGE_DEFAULTS.logStopFlushMs }),
      },
      { ...strict, default: {} },
    ),
  },
  strict,
);

/** The plugin's validated config. */
export type EdgeConfig = Static<typeof edgeConfigSchema>;

/** `sites.<site>.edge`. */
export const edgeSiteSchema = Type.Object(
  {
    cacheControl: Type.Array(cacheRuleSchema, { default: [], description: 'Cache-Control rules for this site; first match wins' }),
    headers: Type.Optional(headersSchema),
    cleanUrls: Type.Boolean({ default: true, description: '/about serves about.html; /docs redirects to /docs/ when docs/index.html exists' }),
    notFoundPage: Type.String({ minLength: 1, maxLength: 200, default: '404.html', description: 'file served with status 404 for missing paths' }),
    pullZoneId: Type.String({ pattern: '^\\d{1,20}$', default: '0', description: 'pull zone id written in Bunny log lines' }),
  },
  strict,
);

/** One site's validated edge settings. */
export type EdgeSiteConfig = Static<typeof edgeSiteSchema>;

/** One Cache-Control rule. */
export type CacheRule = Static<typeof cacheRuleSchema>;

/** A site's settings with defaults, from what the host gave (`undefined` for a site it skipped). */
export function resolveEdgeSite(raw: unknown): EdgeSiteConfig {
  return resolve(edgeSiteSchema, raw, 'sites.<site>.edge');
}

/** The plugin config with defaults, for tests and the benchmark, which build it outside a host. */
export function resolveEdgeConfig(raw: unknown): EdgeConfig {
  return resolve(edgeConfigSchema, raw, 'plugins.edge');
}

function resolve<T extends typeof edgeSiteSchema | typeof edgeConfigSchema>(schema: T, raw: unknown, where: string): Static<T> {
  const value = Value.Default(schema, structuredClone(raw ?? {}));
  if (!Value.Check(schema, value)) {
    const first = Value.Errors(schema, value).First();
    throw new TypeError(`${where} is invalid at ${first?.path ?? '/'}: ${first?.message ?? 'unknown problem'}`);
  }
  return value as Static<T>;
}
