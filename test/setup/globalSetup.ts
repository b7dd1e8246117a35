/**
 * vitest's global setup: starts the real components suites share — s3rver and a private
 * clickhouse-server — once per run, hands their addresses to every suite through `inject('s3')`
 * and `inject('clickhouse')` (types in fixtures.ts), and stops both after the last suite.
 * If either cannot start, the run fails with the reason; no suite is skipped.
 */
import type { TestProject } from 'vitest/node';
import { startClickHouse, type RunningClickHouse } from './clickhouseServer.js';
import { startS3Server, type RunningS3 } from './s3Server.js';

/** Starts both servers; returns the teardown vitest calls when the run ends. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [s3, clickhouse] = await Promise.allSettled([startS3Server(), startClickHouse()]);
  const started = [s3, clickhouse].flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = [s3, clickhouse].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length > 0) {
    await stopAll(started);
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, 'the test servers did not start');
  }
  const s3Server = (s3 as PromiseFulfilledResult<RunningS3>).value;
  const clickhouseServer = (clickhouse as PromiseFulfilledResult<RunningClickHouse>).value;
  project.provide('s3', s3Server.fixture);
  project.provide('clickhouse', clickhouseServer.fixture);
  return async function teardown() {
    await stopAll(started);
  };
}

async function stopAll(servers: readonly { stop(): Promise<void> }[]): Promise<void> {
  const results = await Promise.allSettled(servers.map((server) => server.stop()));
  const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failed.length > 0) throw new AggregateError(failed, 'stopping the test servers failed');
}
