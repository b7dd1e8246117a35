/**
 * Proves the global setup hands suites real servers: an S3 API that stores and returns bytes, and
 * a ClickHouse that answers queries — reached with the same clients a host uses.
 */
import { createClient } from '@clickhouse/client';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';

describe('the S3 server of the test run', () => {
  const s3 = inject('s3');
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  afterAll(() => client.destroy());

  it('listens on loopback and stores an object that reads back byte for byte', async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const key = `harness/${randomBytes(6).toString('hex')}.bin`;
    const bytes = randomBytes(4096);

    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: bytes, ContentType: 'application/octet-stream' }));
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));

    expect(got.ContentType).toBe('application/octet-stream');
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(bytes);
  });
});

describe('the ClickHouse server of the test run', () => {
  const clickhouse = inject('clickhouse');
  const client = createClient({ url: clickhouse.url, username: clickhouse.user, password: clickhouse.password });
  afterAll(() => client.close());

  it('answers SELECT 1 over HTTP and reports a real version', async () => {
    const result = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ one: 1 }]);
    expect(clickhouse.version).toMatch(/^\d+\.\d+/);
    expect(clickhouse.url).toBe(`http://127.0.0.1:${clickhouse.httpPort}`);
    expect(clickhouse.tcpPort).not.toBe(clickhouse.httpPort);
  });

  it('runs in UTC, so suites that bucket by day agree with the calendar', async () => {
    const result = await client.query({ query: 'SELECT timezone() AS tz, toString(toDateTime(86400)) AS day', format: 'JSONEachRow' });
    const [row] = await result.json<{ tz: string; day: string }>();
    expect(row?.tz).toMatch(/^(Etc\/)?UTC$/);
    expect(row?.day).toBe('1970-01-02 00:00:00');
  });
});
