/**
 * The query plugin's settings (`hosts.<host>.plugins.query`) and the request limits that are not
 * settings. Every default is here, with its unit and reason.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Bytes } from '../../core/config/schemaTypes.js';

const strict = { additionalProperties: false } as const;

/** Defaults, with why each number is what it is. */
export const QUERY_DEFAULTS = {
  /** 400 days: the `12mo` preset (at most 366 days) plus room for a custom year-over-year range. */
  maxRangeDays: 400,
  /** 1,000 time buckets: 41 days of hours or 2.7 years of days; more points than a chart can show. */
  maxBuckets: 1000,
  /** 120 requests a minute per token: a dashboard view makes 7, so 17 views a minute. */
  requestsPerMinute: 120,
  /** 60 requests at once: a few dashboard views opened together never wait. */
  burst: 60,
  /** Store queries run at once for one request when buckets are cut in a non-UTC zone. */
  bucketQueryConcurrency: 4,
  /** 64 KiB of JSON body: 20 filters of 1,024 characters fit; a larger body is not a query. */
  maxBodyBytes: 65_536,
  /** 600 s: browsers cache a CORS preflight this long (Chromium caps it at 7,200). */
  corsMaxAgeSeconds: 600,
} as const;

/** Limits of one request. Not settings: they keep each request's cost bounded on any host. */
export const REQUEST_LIMITS = {
  /** Dimensions per request: a time bucket and two breakdowns. */
  maxDimensions: 3,
  /** Filters per request. */
  maxFilters: 20,
  /** Values one `is` / `is_not` filter may list (the store allows 100 in one IN list). */
  maxFilterValues: 50,
  /** Characters of one filter value: longer than any real path or referrer (the store allows 2,048). */
  maxFilterValueChars: 1024,
  /** Order keys per request. */
  maxOrderKeys: 5,
  /** Rows per page. */
  maxLimit: 1000,
  /** Rows per page when the request does not say. */
  defaultLimit: 100,
  /** offset + limit: the store returns at most 10,000 rows per query. */
  maxRows: 9999,
  /** Characters of a site name (DNS names are at most 253). */
  maxSiteChars: 253,
  /** Rows of code-sorted results (error_rate order): the store's own ceiling. */
  maxSortedRows: 10_000,
  /**
   * Store queries of one request answered bucket by bucket (zones whose boundaries are not UTC's):
   * a year of days fits; so do 16 days of hours in a half-hour zone.
   */
  maxBucketQueries: 400,
  /** Rows one request may hold in memory before paging: about 40 MB of small objects. */
  maxFetchedRows: 200_000,
} as const;

/** `hosts.<host>.plugins.query`. */
export const queryConfigSchema = Type.Object(
  {
    maxRangeDays: Type.Integer({ minimum: 1, maximum: 3660, default: QUERY_DEFAULTS.maxRangeDays, description: 'longest date range a request may ask for, in days' }),
    maxBuckets: Type.Integer({ minimum: 24, maximum: 10_000, default: QUERY_DEFAULTS.maxBuckets, description: 'most time buckets one request may return' }),
    bucketQueryConcurrency: Type.Integer({ minimum: 1, maximum: 32, default: QUERY_DEFAULTS.bucketQueryConcurrency }),
    maxBodyBytes: Bytes({ minimum: 1024, maximum: 1_048_576, default: QUERY_DEFAULTS.maxBodyBytes }),
    rateLimit: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        requestsPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000, default: QUERY_DEFAULTS.requestsPerMinute }),
        burst: Type.Integer({ minimum: 1, maximum: 1_000_000, default: QUERY_DEFAULTS.burst }),
      },
      { ...strict, default: {} },
    ),
    cors: Type.Object(
      {
        origins: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
          default: [],
          uniqueItems: true,
          description: 'origins (scheme://host[:port]) whose pages may call the API from a browser; "*" for any',
        }),
        maxAgeSeconds: Type.Integer({ minimum: 0, maximum: 86_400, default: QUERY_DEFAULTS.corsMaxAgeSeconds }),
      },
      { ...strict, default: {} },
    ),
    dashboard: Type.Boolean({ default: true, description: 'serve the dashboard page at /query/' }),
  },
  strict,
);

/** The validated, defaulted settings. */
export type QueryConfig = Static<typeof queryConfigSchema>;
