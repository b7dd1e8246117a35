/**
 * Which months retention keeps. Data is kept by whole months (ClickHouse drops whole partitions):
 * with `retentionMonths` = N the current month and the N months before it are kept, so at least
 * N full months of history are always there.
 */

/** `YYYYMM` of a time, in UTC. */
export function monthKey(time: Date): string {
  return `${time.getUTCFullYear()}${String(time.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The first instant (UTC) of the oldest month kept at `now` when `retentionMonths` are kept. */
export function retentionCutoff(now: Date, retentionMonths: number): Date {
  if (!Number.isSafeInteger(retentionMonths) || retentionMonths < 1) {
    throw new RangeError(`retentionMonths must be a whole number of months >= 1, got ${String(retentionMonths)}`);
  }
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - retentionMonths, 1));
}

/**
 * The months of `months` (`YYYYMM`) that lie entirely before `cutoff`. A cutoff inside a month
 * keeps that month: only whole months are dropped.
 */
export function monthsBefore(months: readonly string[], cutoff: Date): string[] {
  const limit = monthKey(cutoff);
  return months.filter((month) => /^\d{6}$/.test(month) && month < limit).sort();
}
