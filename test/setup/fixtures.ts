/**
 * What the global setup hands to every suite through vitest's `inject()`.
 */

/** A running s3rver: an S3 API on loopback with one empty bucket made for the run. */
export interface S3Fixture {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A bucket created for this run; suites use their own key prefixes inside it, or create buckets. */
  readonly bucket: string;
}

/** A private clickhouse-server on loopback (Debian's 18.16.1 here). Suites create their own databases. */
export interface ClickHouseFixture {
  /** The HTTP interface, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  readonly user: string;
  readonly password: string;
  /** The server's version string, e.g. "18.16.1". */
  readonly version: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3Fixture;
    clickhouse: ClickHouseFixture;
  }
}
