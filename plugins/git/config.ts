/**
 * The git plugin's settings: `hosts.<host>.plugins.git` ({@link gitConfigSchema}) and each site's
 * `sites.<site>.git` ({@link gitSiteSchema}). Every default is here, with its unit and reason.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const CacheRuleSchema = Type.Object(
  {
    match: Type.String({ minLength: 1, maxLength: 200, description: 'Glob over the file path (`*`, `?`, `**`); without `/` it matches the file name.' }),
    value: Type.String({ minLength: 1, maxLength: 200, description: 'The Cache-Control value stored with matching files.' }),
  },
  { additionalProperties: false },
);

/** Cache-Control when a site sets no rules: pages revalidate, everything else is cached an hour. */
export const DEFAULT_CACHE_RULES = [
  { match: '*.html', value: 'public, max-age=0, must-revalidate' },
  { match: '*.htm', value: 'public, max-age=0, must-revalidate' },
  { match: '**', value: 'public, max-age=3600' },
] as const;

/** `hosts.<host>.plugins.git`. */
export const gitConfigSchema = Type.Object(
  {
    // 1 GiB: the limit; indexing holds the whole pack in memory, so keep it below RAM.
    maxPackBytes: Type.Integer({ minimum: 1024, default: 1024 ** 3, description: 'Largest pack one push may send, in bytes.' }),
    // 256 MiB: above maxFileBytes, so any deployable file fits; bounds the memory one object
    // can take while a pack is indexed (a deflate bomb is refused before it inflates).
    maxObjectBytes: Type.Integer({ minimum: 1024, default: 256 * 1024 ** 2, description: 'Largest object (file) a pushed pack may hold, once inflated, in bytes.' }),
    // 10: enough history for a rollback a week of daily deploys back; minimum 2 keeps the
    // previous release readable while requests that started on it finish.
    releasesKept: Type.Integer({ minimum: 2, maximum: 1000, default: 10, description: 'Releases kept per site, the live one included.' }),
    // 10 minutes: a static-site generator on a small VPS; the pusher waits this long at most.
    buildTimeoutMs: Type.Integer({ minimum: 1000, default: 600_000, description: 'Default build timeout in milliseconds.' }),
    // 100 MiB: blobs are held in memory while uploaded; a larger file belongs on a CDN of its own.
    maxFileBytes: Type.Integer({ minimum: 1, default: 100 * 1024 ** 2, description: 'Default largest deployed file, in bytes.' }),
    // 100,000: well above any static site; bounds the work one push can cause.
    maxFiles: Type.Integer({ minimum: 1, default: 100_000, description: 'Most files (and directories) in one release.' }),
    // 16 MiB: a fetch's wants and haves; a deep history sends about 50 bytes per commit.
    maxNegotiationBytes: Type.Integer({ minimum: 1024, default: 16 * 1024 ** 2, description: 'Largest clone/fetch request body, in bytes.' }),
    // 8: keeps a VPS's disk or an S3 connection pool busy without holding too many blobs in memory.
    uploadConcurrency: Type.Integer({ minimum: 1, maximum: 64, default: 8, description: 'Blob uploads at a time during a deploy.' }),
    // 64 KiB: build output beyond this per build is summarised, not streamed, to keep pushes readable.
    maxBuildOutputBytes: Type.Integer({ minimum: 1024, default: 64 * 1024, description: 'Build output sent to the pusher, in bytes.' }),
    cacheControl: Type.Array(CacheRuleSchema, { default: DEFAULT_CACHE_RULES.map((rule) => ({ ...rule })), description: 'Default Cache-Control rules; first match wins.' }),
  },
  { additionalProperties: false },
);

/** The plugin's validated config. */
export type GitConfig = Static<typeof gitConfigSchema>;

/** `sites.<site>.git`. */
export const gitSiteSchema = Type.Object(
  {
    branch: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._/-]+$', default: 'main', description: 'The branch whose pushes deploy the site.' }),
    allowForcePush: Type.Boolean({ default: false, description: 'Accept non-fast-forward pushes (history rewrites).' }),
    build: Type.Optional(
      Type.Object(
        {
          command: Type.String({ minLength: 1, maxLength: 2000, description: 'Run with `sh -c` in a checkout of the pushed commit.' }),
          output: Type.String({ minLength: 1, maxLength: 500, default: 'dist', description: 'Directory (relative to the checkout) whose files are deployed.' }),
          timeoutMs: Type.Optional(Type.Integer({ minimum: 1000, description: 'Overrides the plugin’s buildTimeoutMs.' })),
        },
        { additionalProperties: false },
      ),
    ),
    maxFileBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'Overrides the plugin’s maxFileBytes for this site.' })),
    cacheControl: Type.Optional(Type.Array(CacheRuleSchema, { description: 'Replaces the plugin’s cacheControl rules for this site.' })),
  },
  { additionalProperties: false },
);

/** One site's validated git settings. */
export type GitSiteConfig = Static<typeof gitSiteSchema>;

/**
 * A site's settings with defaults, from whatever the host gave for it (`undefined` for a site
 * without a `git` section). The host validates already; this is the fallback for sites it skipped.
 */
export function resolveSiteConfig(raw: unknown): GitSiteConfig {
  const value = Value.Default(gitSiteSchema, structuredClone(raw ?? {}));
  if (!Value.Check(gitSiteSchema, value)) {
    const first = Value.Errors(gitSiteSchema, value).First();
    throw new TypeError(`sites.<site>.git is invalid at ${first?.path ?? '/'}: ${first?.message ?? 'unknown problem'}`);
  }
  return value;
}

/** The plugin config with defaults (for tests and the CLI, which read it outside a running host). */
export function resolveGitConfig(raw: unknown): GitConfig {
  const value = Value.Default(gitConfigSchema, structuredClone(raw ?? {}));
  if (!Value.Check(gitConfigSchema, value)) {
    const first = Value.Errors(gitConfigSchema, value).First();
    throw new TypeError(`plugins.git is invalid at ${first?.path ?? '/'}: ${first?.message ?? 'unknown problem'}`);
  }
  return value;
}
