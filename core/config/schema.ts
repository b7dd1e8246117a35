/**
 * The schema of the host file's core keys. Plugins bring their own schemas for
 * `hosts.<host>.plugins.<ref>` and `sites.<site>.<id>`; everything else is checked here.
 * Every default lives in this file, each with its unit and reason.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TOKEN_SCOPES } from './types.js';
import { Millis, NamedMap, OneOf, Port, SecretString, SiteName, SITE_NAME, Bytes } from './schemaTypes.js';

const strict = { additionalProperties: false } as const;

/** Defaults, with why each number is what it is. */
export const HOST_DEFAULTS = {
  /** Reach and bind on loopback unless told otherwise: nothing is exposed by surprise. */
  address: '127.0.0.1',
  listen: '127.0.0.1',
  /** A common unprivileged HTTP port; a TLS proxy (Caddy) sits in front in production. */
  port: 8080,
  /** Relative to the host file; the stage and host name are appended. */
  dataDir: './data',
  /** 1 MiB, as fastify: plugins that take large bodies (git packs, log batches) raise it per route. */
  bodyLimit: 1_048_576,
  /** 5 minutes: a large git push or log upload must finish; anything slower is stuck. */
  requestTimeoutMs: 300_000,
  /** 10 s to flush and close on SIGTERM; systemd's default stop timeout is 90 s, so this fits well inside. */
  shutdownTimeoutMs: 10_000,
  /** 13 months: a year of analytics plus the month in progress. */
  retentionMonths: 13,
} as const;

/** `storage.s3`: an S3-compatible bucket. Plugins with a target of their own reuse it with their own prefix default. */
export function s3Schema(defaultPrefix = '') {
  return Type.Object(
    {
      bucket: Type.String({ minLength: 3, maxLength: 63 }),
      region: Type.String({ default: 'us-east-1' }),
      endpoint: Type.Optional(Type.String({ pattern: '^https?://' })),
      accessKeyId: Type.Optional(SecretString()),
      secretAccessKey: Type.Optional(SecretString()),
      prefix: Type.String({ default: defaultPrefix, pattern: '^$|^[^/].*/$', description: 'key prefix, ends in /' }),
      forcePathStyle: Type.Boolean({ default: false }),
    },
    strict,
  );
}

/** `storage`: a directory or an S3-compatible bucket. */
export const storageSchema = Type.Object(
  {
    engine: OneOf(['fs', 's3'] as const, { default: 'fs', description: 'fs: a directory; s3: an S3-compatible bucket' }),
    dir: Type.Optional(Type.String({ minLength: 1, description: 'fs: directory; default <dataDir>/storage' })),
    s3: Type.Optional(s3Schema()),
  },
  strict,
);

const analyticsSchema = Type.Object(
  {
    engine: OneOf(['duckdb', 'clickhouse'] as const, { default: 'duckdb' }),
    clickhouse: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^https?://' }),
          database: Type.String({ default: 'hearth', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,50}$' }),
          user: Type.String({ default: 'default' }),
          password: Type.Optional(SecretString()),
        },
        strict,
      ),
    ),
    retentionMonths: Type.Integer({ minimum: 1, maximum: 1200, default: HOST_DEFAULTS.retentionMonths }),
  },
  strict,
);

/** Settings a host has, and `defaults` may give to every host. */
const hostSettings = {
  address: Type.String({ minLength: 1, default: HOST_DEFAULTS.address }),
  listen: Type.String({ minLength: 1, default: HOST_DEFAULTS.listen }),
  port: Port({ default: HOST_DEFAULTS.port }),
  dataDir: Type.String({ minLength: 1, default: HOST_DEFAULTS.dataDir }),
  storage: Type.Object(storageSchema.properties, { ...strict, default: {} }),
  analytics: Type.Object(analyticsSchema.properties, { ...strict, default: {} }),
  metrics: Type.Object({ token: Type.Optional(SecretString()) }, { ...strict, default: {} }),
  log: Type.Object(
    { level: OneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, { default: 'info' }) },
    { ...strict, default: {} },
  ),
  http: Type.Object(
    {
      bodyLimit: Bytes({ minimum: 1024, default: HOST_DEFAULTS.bodyLimit }),
      requestTimeoutMs: Millis({ minimum: 1000, default: HOST_DEFAULTS.requestTimeoutMs }),
      shutdownTimeoutMs: Millis({ minimum: 100, default: HOST_DEFAULTS.shutdownTimeoutMs }),
    },
    { ...strict, default: {} },
  ),
};

/** `defaults`: host settings shared by every host (no plugins: each host picks its own). */
export const defaultsSchema = Type.Partial(Type.Object(hostSettings, strict));

/** `hosts.<name>` after `defaults` are merged in. Plugin configs are checked by each plugin's schema. */
export const hostSchema = Type.Object(
  { ...hostSettings, plugins: Type.Record(Type.String(), Type.Unknown(), { default: {} }) },
  strict,
);

/** `sites.<name>`: core keys; each plugin adds `sites.<name>.<plugin id>`. */
export const siteCoreSchema = Type.Object({ aliases: Type.Array(SiteName(), { default: [], uniqueItems: true }) });

/** `tokens.<name>`. */
export const tokenSchema = Type.Object(
  {
    hash: Type.String({ pattern: '^sha256:[0-9a-f]{64}$', description: 'write sha256:<64 hex digits>, as printed by `hearth token new`' }),
    sites: Type.Array(Type.Union([SiteName(), Type.Literal('*')]), { minItems: 1, uniqueItems: true }),
    scopes: Type.Array(OneOf(TOKEN_SCOPES), { minItems: 1, uniqueItems: true }),
  },
  strict,
);

/** Host and token names: they name directories and appear in URLs, metrics and messages. */
export const NAME = '^[a-z][a-z0-9-]{0,62}$';
/** Stage names: as {@link NAME}, shorter, since they are appended to database names too. */
export const STAGE_NAME = '^[a-z][a-z0-9-]{0,30}$';

const NAME_RULE = "lower-case letters, digits and '-', starting with a letter";

/** The whole file after the stage is merged in (`stages` itself is checked by {@link stagesSchema}). */
export const fileSchema = Type.Object(
  {
    defaults: Type.Optional(defaultsSchema),
    hosts: NamedMap(NAME, `host names are ${NAME_RULE}, at most 63 characters`, Type.Unknown(), { minProperties: 1 }),
    sites: Type.Optional(NamedMap(SITE_NAME, "site names are host names: lower-case letters, digits, '-' and '.', like example.com", Type.Unknown())),
    tokens: Type.Optional(NamedMap(NAME, `token names are ${NAME_RULE}, at most 63 characters`, tokenSchema)),
    stages: Type.Optional(Type.Unknown()),
  },
  strict,
);

/** `stages.<name>`: a port offset plus any of the file's keys, merged over the file. */
export const stagesSchema = NamedMap(
  STAGE_NAME,
  `stage names are ${NAME_RULE}, at most 31 characters`,
  Type.Object(
    {
      portOffset: Type.Optional(Type.Integer({ minimum: 0, maximum: 60000 })),
      defaults: Type.Optional(Type.Unknown()),
      hosts: Type.Optional(Type.Unknown()),
      sites: Type.Optional(Type.Unknown()),
      tokens: Type.Optional(Type.Unknown()),
    },
    strict,
  ),
);

/** A host's settings as validated, before paths are resolved. */
export type HostInput = Static<typeof hostSchema>;
