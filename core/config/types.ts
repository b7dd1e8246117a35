/**
 * The shape of a resolved host file: what `loadHostFile` returns after stage merge, interpolation,
 * validation, defaults and plugin resolution. Every object in it is deep-frozen.
 */
import type { AnyPluginDefinition } from '../plugin/definition.js';
import type { Secret } from './secret.js';

/** The stage a file is run under when none is named. */
export const DEFAULT_STAGE = 'production';

/** Token scopes: what a token may do on its sites. */
export const TOKEN_SCOPES = ['push', 'read', 'ingest', 'admin'] as const;
/** One token scope. */
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Where site files and other blobs are kept. */
export interface StorageConfig {
  readonly engine: 'fs' | 's3';
  /** fs: the directory (absolute, stage-scoped). */
  readonly dir: string;
  /** s3: the bucket and credentials. `prefix` already ends with the stage (`<prefix><stage>/`). */
  readonly s3?: {
    readonly bucket: string;
    readonly region: string;
    readonly endpoint?: string;
    readonly accessKeyId?: Secret;
    readonly secretAccessKey?: Secret;
    readonly prefix: string;
    readonly forcePathStyle: boolean;
  };
}

/** Where access logs are stored and queried: embedded DuckDB by default, ClickHouse at scale. */
export interface AnalyticsConfig {
  readonly engine: 'duckdb' | 'clickhouse';
  /** duckdb: the database file (absolute, inside the host's data dir). */
  readonly duckdbFile: string;
  /** clickhouse: the server; `database` already carries the stage (`<database>_<stage>`). */
  readonly clickhouse?: {
    readonly url: string;
    readonly database: string;
    readonly user: string;
    readonly password?: Secret;
  };
  /** Months of data kept; older monthly partitions are dropped. */
  readonly retentionMonths: number;
}

/** One plugin as a host runs it. */
export interface PluginEntry {
  /** How the host file names it: a built-in id, a relative path or an npm package. */
  readonly ref: string;
  /** The definition's id. */
  readonly id: string;
  /** The loaded definition. */
  readonly definition: AnyPluginDefinition;
  /** The validated config with defaults. */
  readonly config: unknown;
}

/** One host of the file, resolved for the current stage. */
export interface HostConfig {
  readonly name: string;
  /** How other hosts reach this one (e.g. the monitoring host scraping it). */
  readonly address: string;
  /** The interface the HTTP server binds to. */
  readonly listen: string;
  /** The HTTP port, with the stage's port offset applied (0 picks a free port). */
  readonly port: number;
  /** The host's data directory: absolute, `<dataDir>/<stage>/<host>`. */
  readonly dataDir: string;
  readonly storage: StorageConfig;
  readonly analytics: AnalyticsConfig;
  readonly metrics: { readonly token?: Secret };
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  readonly http: {
    /** Largest request body in bytes for routes that do not set their own. */
    readonly bodyLimit: number;
    /** Milliseconds a request may take before it is cut off. */
    readonly requestTimeoutMs: number;
    /** Milliseconds a graceful shutdown may take before the process gives up waiting. */
    readonly shutdownTimeoutMs: number;
  };
  /** Plugins in the order the host file lists them (the host orders them by dependency). */
  readonly plugins: readonly PluginEntry[];
  /** Every port this host listens on, with what it is for (for `hearth check` and conflict checks). */
  readonly ports: readonly { readonly owner: string; readonly path: string; readonly port: number; readonly protocol: 'tcp' | 'udp' }[];
}

/** One site. Plugin-specific settings live under the plugin's id. */
export interface SiteConfig {
  readonly name: string;
  /** Other host names that serve the same site. */
  readonly aliases: readonly string[];
  /** Per-plugin settings, `sites.<site>.<plugin id>`, validated by each plugin's siteSchema. */
  readonly plugins: Readonly<Record<string, unknown>>;
}

/** One token: only its hash is in the file. */
export interface TokenConfig {
  readonly name: string;
  /** `sha256:<64 hex>` of the token. */
  readonly hash: string;
  /** Site names, or `*` for every site. */
  readonly sites: readonly string[];
  readonly scopes: readonly TokenScope[];
}

/** The resolved host file. */
export interface HearthConfig {
  /** Absolute path of the host file. */
  readonly file: string;
  readonly stage: string;
  readonly portOffset: number;
  readonly hosts: Readonly<Record<string, HostConfig>>;
  readonly sites: Readonly<Record<string, SiteConfig>>;
  readonly tokens: Readonly<Record<string, TokenConfig>>;
}
