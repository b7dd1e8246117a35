/**
 * Bounded parallelism for target calls: many small objects (index files, snapshots, pack headers)
 * load much faster a few at a time, but never all at once against a remote bucket.
 */

/**
 * Maps `items` through `task` with at most `limit` calls in flight; results keep the input order.
 * The first failure stops new calls and is thrown once the ones in flight have settled.
 */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  async function worker(): Promise<void> {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}
