/**
 * The in-memory time-series store: series by exact label set, an index by metric name for
 * selectors, interned label strings, and retention that drops whole chunks and empty series.
 */
import { labelsKey, makeLabels, METRIC_NAME, type Labels } from '../model/labels.js';
import { matchesAll, type Matcher } from '../model/matcher.js';
import { Series } from './series.js';

/** Counters the store keeps about itself. */
export interface StoreStats {
  readonly series: number;
  readonly sampleBytes: number;
}

/** Holds every series the monitoring plugin has scraped or recorded, for `retentionMs`. */
export class SeriesStore {
  readonly retentionMs: number;
  readonly #byKey = new Map<string, Series>();
  readonly #byName = new Map<string, Set<Series>>();
  #strings = new Map<string, string>();
  /** Changes whenever a series is added or removed, so cached selections know they are stale. */
  #generation = 0;
  readonly #selections = new WeakMap<readonly Matcher[], { generation: number; series: Series[] }>();

  constructor(retentionMs: number) {
    this.retentionMs = retentionMs;
  }

  /** Number of series held. */
  get size(): number {
    return this.#byKey.size;
  }

  /** The series with exactly these labels, created on first use. */
  getOrCreate(labels: Labels): Series {
    const key = labelsKey(labels);
    let series = this.#byKey.get(key);
    if (series) return series;
    series = new Series(this.#intern(labels));
    this.#generation++;
    this.#byKey.set(this.#copy(key), series);
    const name = series.labels[METRIC_NAME] ?? '';
    let set = this.#byName.get(name);
    if (!set) this.#byName.set(name, (set = new Set()));
    set.add(series);
    return series;
  }

  /** The series with exactly these labels, if any. */
  get(labels: Labels): Series | undefined {
    return this.#byKey.get(labelsKey(labels));
  }

  /**
   * Every series accepted by all `matchers`. Uses the name index when a matcher pins `__name__`;
   * the answer is remembered (per matcher list) until a series is added or removed.
   */
  select(matchers: readonly Matcher[]): readonly Series[] {
    const cached = this.#selections.get(matchers);
    if (cached?.generation === this.#generation) return cached.series;
    const byName = matchers.find((m) => m.name === METRIC_NAME && m.op === '=');
    const candidates: Iterable<Series> = byName ? (this.#byName.get(byName.value) ?? []) : this.#byKey.values();
    const out: Series[] = [];
    for (const series of candidates) if (matchesAll(matchers, series.labels)) out.push(series);
    this.#selections.set(matchers, { generation: this.#generation, series: out });
    return out;
  }

  /** Drops everything older than `now - retention`; removes series left without samples. */
  truncate(now: number): number {
    const minT = now - this.retentionMs;
    let removed = 0;
    for (const [key, series] of this.#byKey) {
      if (!series.truncate(minT)) continue;
      series.removed = true;
      this.#generation++;
      this.#byKey.delete(key);
      const name = series.labels[METRIC_NAME] ?? '';
      const set = this.#byName.get(name);
      set?.delete(series);
      if (set?.size === 0) this.#byName.delete(name);
      removed++;
    }
    // Rebuild the string table from live series so values of dropped series can be collected.
    const strings = new Map<string, string>();
    for (const series of this.#byKey.values()) {
      for (const name in series.labels) {
        strings.set(name, name);
        strings.set(series.labels[name]!, series.labels[name]!);
      }
    }
    this.#strings = strings;
    return removed;
  }

  /** Sizes for the plugin's own metrics. */
  stats(): StoreStats {
    let sampleBytes = 0;
    for (const series of this.#byKey.values()) sampleBytes += series.sampleBytes;
    return { series: this.#byKey.size, sampleBytes };
  }

  #intern(labels: Labels): Labels {
    const pairs: [string, string][] = [];
    for (const name in labels) pairs.push([this.#string(name), this.#string(labels[name]!)]);
    return makeLabels(pairs);
  }

  #string(value: string): string {
    let interned = this.#strings.get(value);
    if (interned === undefined) {
      interned = this.#copy(value);
      this.#strings.set(interned, interned);
    }
    return interned;
  }

  #copy(value: string): string {
    return detachString(value);
  }
}

/**
 * A copy of a string that shares no memory with the string it came from: V8 keeps substrings of
 * 13 characters or more as views into their parent, so a label value cut from a scrape body would
 * otherwise pin the whole body in memory.
 */
export function detachString(value: string): string {
  return value.length < 13 ? value : Buffer.from(value, 'utf8').toString('utf8');
}
