/**
 * The ClickHouse server a suite uses: the one the global setup started (`inject('clickhouse')`)
 * when there is one, else a private server for this suite alone. Each suite works in databases
 * of its own, so suites never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { startPrivateClickHouse } from './privateClickHouse.js';

/** A server a suite may use, and how to let go of it. */
export interface SuiteClickHouse {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** Stops the server if this suite started it. */
  release(): Promise<void>;
}

/** Returns the shared server, or starts a private one. */
export async function clickhouseForSuite(): Promise<SuiteClickHouse> {
  const shared = (inject as (key: string) => unknown)('clickhouse') as { url: string; user: string; password: string } | undefined;
  if (shared) return { url: shared.url, user: shared.user, password: shared.password, release: async () => undefined };
  const own = await startPrivateClickHouse();
  return { url: own.url, user: 'default', password: '', release: () => own.destroy() };
}

/** A database name no other suite (or run) uses. */
export function uniqueDatabase(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
