/**
 * A plain re-computation of stats from the fixture's records, in JavaScript, for checking the
 * API's numbers independently of either engine: if both engines agreed on a wrong answer, the
 * comparison between them would not notice, this would.
 */
import type { AccessRecord } from '../../core/services/analytics/accessRecord.js';

/** The five summable metrics and the distinct visitors of a set of records. */
export interface ReferenceTotals {
  readonly visitors: number;
  readonly pageviews: number;
  readonly requests: number;
  readonly bytes: number;
  readonly errors: number;
}

/** What to count: one site, `[start, end)`, and which requests. */
export interface ReferenceScope {
  readonly site: string;
  readonly start: number;
  readonly end: number;
  readonly bots?: 'exclude' | 'include' | 'only';
  readonly where?: (record: AccessRecord) => boolean;
}

/** The records a scope selects. */
export function select(records: readonly AccessRecord[], scope: ReferenceScope): AccessRecord[] {
  const bots = scope.bots ?? 'exclude';
  return records.filter(
    (record) =>
      record.site === scope.site &&
      record.ts >= scope.start &&
      record.ts < scope.end &&
      (bots === 'include' || record.bot === (bots === 'only')) &&
      (scope.where?.(record) ?? true),
  );
}

/** Totals of a set of records. */
export function totalsOf(records: readonly AccessRecord[]): ReferenceTotals {
  return {
    visitors: new Set(records.map((record) => record.visitorId)).size,
    pageviews: records.filter((record) => record.isPageview).length,
    requests: records.length,
    bytes: records.reduce((sum, record) => sum + record.bytes, 0),
    errors: records.filter((record) => record.status >= 500).length,
  };
}

/** Totals per group key, for breakdowns. */
export function groupTotals(records: readonly AccessRecord[], key: (record: AccessRecord) => string | number): Map<string | number, ReferenceTotals> {
  const groups = new Map<string | number, AccessRecord[]>();
  for (const record of records) {
    const value = key(record);
    const list = groups.get(value) ?? [];
    list.push(record);
    groups.set(value, list);
  }
  return new Map([...groups].map(([value, list]) => [value, totalsOf(list)]));
}
