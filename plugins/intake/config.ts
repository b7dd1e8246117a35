/**
 * The intake plugin's settings (`hosts.<host>.plugins.intake`) and per-site settings
 * (`sites.<site>.intake`). Every default is here, with its unit and reason.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Bytes, Millis, OneOf, Port } from '../../core/config/schemaTypes.js';
import { LOG_FORMATS } from './parsers/logFormat.js';

const strict = { additionalProperties: false } as const;

/** Defaults, with why each number is what it is. */
export const INTAKE_DEFAULTS = {
  /** 5514: the customary unprivileged syslog port (514 needs root); TCP and UDP both listen on it. */
  port: 5514,
  /** Loopback only: a log source elsewhere (Bunny's forwarders, another server) must be allowed by CIDR. */
  allow: ['127.0.0.0/8', '::1/128'],
  /** 16 KiB per line: a long URL and user agent fit in a few KiB; anything larger is junk or an attack. */
  maxLineBytes: 16_384,
  /** 512 TCP connections: log forwarders hold a few each; the rest is a flood. */
  maxConnections: 512,
  /**
   * 5 minutes without a byte closes a TCP connection: forwarders reconnect, dead peers go away.
   * One frame may take as long to arrive (`tcp.frameTimeoutMs`, unset: this): a forwarder sends a
   * line in one go, a sender trickling one that never ends is holding a connection slot.
   */
  idleTimeoutMs: 300_000,
  /** 16 MiB per HTTP upload: about 50,000 lines, one batch. */
  maxBodyBytes: 16_777_216,
  /** 7 days back: late deliveries and imports of last week's logs are kept; older is likely a mistake. */
  maxAgeHours: 168,
  /** 5 minutes ahead: covers clock skew between a CDN and this host, nothing more. */
  maxFutureSeconds: 300,
  /** 50,000 rows or 1 s per batch: ClickHouse wants about one insert per second of 10k–100k rows. */
  batchMaxRows: 50_000,
  batchMaxDelayMs: 1_000,
  /** 1 GiB of spool on disk: about 3.5 million lines, hours of a busy site while the store is down. */
  spoolMaxBytes: 1_073_741_824,
  /** 16 MiB of lines read but not yet on disk: readers pause beyond it, so memory stays bounded. */
  maxPendingBytes: 16_777_216,
  /** Retries start at 250 ms and double up to 30 s while the store is down. */
  retryInitialDelayMs: 250,
  retryMaxDelayMs: 30_000,
  /** Request ids remembered for de-duplication: 200,000 is minutes of a busy CDN zone, ~30 MB. */
  dedupRequestIds: 200_000,
  /** 10 s to deliver what is queued when the host stops; what is left stays in the spool. */
  stopFlushMs: 10_000,
  /** Retention runs daily at 03:17 UTC, an off-peak minute nobody else picks. */
  retentionCron: '17 3 * * *',
} as const;

const formatSchema = OneOf(LOG_FORMATS, { default: 'auto', description: 'the log format, or auto to detect it per line' });

const listenerSchema = Type.Object(
  {
    protocol: OneOf(['udp', 'tcp'] as const),
    port: Port({ description: 'port to listen on; 0 picks a free one' }),
    host: Type.String({ default: '0.0.0.0', minLength: 1, description: 'address to bind' }),
    format: formatSchema,
    site: Type.Optional(Type.String({ minLength: 1, description: 'site for lines that name none (e.g. combined without vhost)' })),
  },
  strict,
);

/** `hosts.<host>.plugins.intake`. */
export const intakeConfigSchema = Type.Object(
  {
    listeners: Type.Array(listenerSchema, {
      default: [
        { protocol: 'tcp', port: INTAKE_DEFAULTS.port },
        { protocol: 'udp', port: INTAKE_DEFAULTS.port },
      ],
    }),
    http: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        format: formatSchema,
        maxBodyBytes: Bytes({ default: INTAKE_DEFAULTS.maxBodyBytes, minimum: 1024 }),
      },
      { ...strict, default: {} },
    ),
    allow: Type.Array(Type.String({ minLength: 1 }), { default: [...INTAKE_DEFAULTS.allow], description: 'CIDRs that may send over UDP/TCP' }),
    maxLineBytes: Bytes({ default: INTAKE_DEFAULTS.maxLineBytes, minimum: 256, maximum: 1_048_576 }),
    tcp: Type.Object(
      {
        maxConnections: Type.Integer({ default: INTAKE_DEFAULTS.maxConnections, minimum: 1 }),
        idleTimeoutMs: Millis({ default: INTAKE_DEFAULTS.idleTimeoutMs, minimum: 1000 }),
        frameTimeoutMs: Type.Optional(Millis({ minimum: 1000, description: 'longest one frame may take to arrive once begun; default: idleTimeoutMs' })),
      },
      { ...strict, default: {} },
    ),
    window: Type.Object(
      {
        maxAgeHours: Type.Number({ default: INTAKE_DEFAULTS.maxAgeHours, exclusiveMinimum: 0 }),
        maxFutureSeconds: Type.Number({ default: INTAKE_DEFAULTS.maxFutureSeconds, minimum: 0 }),
      },
      { ...strict, default: {} },
    ),
    batch: Type.Object(
      {
        maxRows: Type.Integer({ default: INTAKE_DEFAULTS.batchMaxRows, minimum: 1, maximum: 1_000_000 }),
        maxDelayMs: Millis({ default: INTAKE_DEFAULTS.batchMaxDelayMs, minimum: 10 }),
      },
      { ...strict, default: {} },
    ),
    spool: Type.Object(
      {
        maxBytes: Bytes({ default: INTAKE_DEFAULTS.spoolMaxBytes, minimum: 1_048_576 }),
        maxPendingBytes: Bytes({ default: INTAKE_DEFAULTS.maxPendingBytes, minimum: 65_536 }),
      },
      { ...strict, default: {} },
    ),
    retry: Type.Object(
      {
        initialDelayMs: Millis({ default: INTAKE_DEFAULTS.retryInitialDelayMs, minimum: 1 }),
        maxDelayMs: Millis({ default: INTAKE_DEFAULTS.retryMaxDelayMs, minimum: 1 }),
      },
      { ...strict, default: {} },
    ),
    dedupRequestIds: Type.Integer({ default: INTAKE_DEFAULTS.dedupRequestIds, minimum: 0 }),
    stopFlushMs: Millis({ default: INTAKE_DEFAULTS.stopFlushMs }),
    retentionCron: Type.String({ default: INTAKE_DEFAULTS.retentionCron, description: "cron for dropping old months; '' turns it off" }),
  },
  strict,
);

/** The validated config. */
export type IntakeConfig = Static<typeof intakeConfigSchema>;

/** `sites.<site>.intake`. */
export const intakeSiteSchema = Type.Object(
  {
    bunnyPullZones: Type.Array(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\d+$' })]), {
      default: [],
      description: "Bunny pull zone ids whose lines belong to this site (when the URL's host is not one of its names)",
    }),
  },
  strict,
);

/** The validated per-site config. */
export type IntakeSiteConfig = Static<typeof intakeSiteSchema>;
