/**
 * Which snapshots to keep, with restic's `forget` semantics: walking from the newest snapshot to
 * the oldest, each rule keeps a snapshot when it falls in a different period (hour, day, ISO week,
 * month, year) from the last snapshot that rule kept, until the rule's count runs out. The newest
 * snapshot of each period is the one kept; one snapshot may be kept by several rules, and counts
 * for each of them. A count of -1 keeps every period. Periods are read in UTC.
 */

/** How many of each period to keep. Absent or 0 means the rule keeps nothing; -1 means no limit. */
export interface RetentionPolicy {
  readonly last?: number;
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
  readonly yearly?: number;
}

/** The rules, in the order restic applies them. */
export const RETENTION_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
/** One rule's name. */
export type RetentionRule = (typeof RETENTION_RULES)[number];

/** What {@link applyRetention} decided. */
export interface RetentionDecision<T> {
  /** Kept items, newest first. */
  readonly keep: readonly T[];
  /** Removed items, newest first. */
  readonly remove: readonly T[];
  /** For each kept item, the rules that kept it. */
  readonly reasons: ReadonlyMap<T, readonly RetentionRule[]>;
}

/** ISO 8601 week-numbering year and week of a UTC date, as year * 100 + week. */
export function isoWeek(date: Date): number {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  // The Thursday of this week decides the week's year.
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return day.getUTCFullYear() * 100 + week;
}

const PERIOD: Record<RetentionRule, (time: Date, position: number) => number> = {
  last: (_time, position) => position,
  hourly: (t) => ((t.getUTCFullYear() * 100 + t.getUTCMonth()) * 100 + t.getUTCDate()) * 100 + t.getUTCHours(),
  daily: (t) => (t.getUTCFullYear() * 100 + t.getUTCMonth()) * 100 + t.getUTCDate(),
  weekly: isoWeek,
  monthly: (t) => t.getUTCFullYear() * 100 + t.getUTCMonth(),
  yearly: (t) => t.getUTCFullYear(),
};

/** True when no rule keeps anything: forgetting with it would remove every snapshot, so it keeps all. */
export function isEmptyPolicy(policy: RetentionPolicy): boolean {
  return RETENTION_RULES.every((rule) => !policy[rule]);
}

/**
 * Splits items into kept and removed. An empty policy keeps everything, as restic does, so a
 * missing setting can never wipe a repository.
 */
export function applyRetention<T extends { readonly time: Date }>(items: readonly T[], policy: RetentionPolicy): RetentionDecision<T> {
  const sorted = [...items].sort((a, b) => b.time.getTime() - a.time.getTime());
  const reasons = new Map<T, RetentionRule[]>();
  if (isEmptyPolicy(policy)) {
    for (const item of sorted) reasons.set(item, []);
    return { keep: sorted, remove: [], reasons };
  }
  const state = RETENTION_RULES.map((rule) => ({ rule, count: policy[rule] ?? 0, last: Number.NaN }));
  const keep: T[] = [];
  const remove: T[] = [];
  sorted.forEach((item, position) => {
    const why: RetentionRule[] = [];
    for (const bucket of state) {
      if (bucket.count === 0 || bucket.count < -1) continue;
      const period = PERIOD[bucket.rule](item.time, position);
      if (period === bucket.last) continue;
      bucket.last = period;
      if (bucket.count > 0) bucket.count--;
      why.push(bucket.rule);
    }
    if (why.length > 0) {
      keep.push(item);
      reasons.set(item, why);
    } else {
      remove.push(item);
    }
  });
  return { keep, remove, reasons };
}
