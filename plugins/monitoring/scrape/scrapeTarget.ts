/**
 * One target's scrapes. A scrape is all-or-nothing, as in Prometheus: the body is parsed fully
 * before any sample is stored, so a body that turns to garbage half-way stores nothing and marks
 * the target down. A cache from each line's series text to its series skips label parsing for
 * series seen before. Series that disappear (or all of them, when the target is down) get stale
 * markers, and `up`, `scrape_duration_seconds` and `scrape_samples_scraped` are written every time.
 */
import { makeLabels, METRIC_NAME, type Labels } from '../model/labels.js';
import type { Series } from '../tsdb/series.js';
import { detachString, type SeriesStore } from '../tsdb/seriesStore.js';
import { fetchMetrics, ScrapeFailure } from './fetchMetrics.js';
import type { TargetSpec } from './targets.js';
import { ExpositionError, parseExposition, parseSeriesText } from './textFormat.js';

/** Limits that apply to every scrape. */
export interface ScrapeLimits {
  readonly timeoutMs: number;
  readonly bodyLimitBytes: number;
  /** Most samples one scrape may return; more fails the scrape. */
  readonly sampleLimit: number;
}

/** The health of a target as of its last scrape. */
export type TargetHealth = 'unknown' | 'up' | 'down';

/** One target and the state of its scrapes. */
export class ScrapeTarget {
  readonly spec: TargetSpec;
  health: TargetHealth = 'unknown';
  lastError: string | undefined;
  /** Clock time of the last scrape (0 = never). */
  lastScrape = 0;
  lastDurationMs = 0;
  lastSamples = 0;
  nextScrapeAt = 0;
  readonly #cache = new Map<string, Series>();
  #previous = new Set<Series>();
  // Reused between scrapes: a scrape of 500 series should not allocate 500 objects.
  #seen = new Set<Series>();
  readonly #batchSeries: Series[] = [];
  readonly #batchValues: number[] = [];
  readonly #syntheticLabels: { up: Labels; duration: Labels; samples: Labels };

  constructor(spec: TargetSpec) {
    this.spec = spec;
    const make = (name: string): Labels => makeLabels([...Object.entries(spec.labels), [METRIC_NAME, name]]);
    this.#syntheticLabels = { up: make('up'), duration: make('scrape_duration_seconds'), samples: make('scrape_samples_scraped') };
  }

  /** Scrapes once; samples are stamped with `now` (clock time). Never throws for target trouble. */
  async scrape(now: number, store: SeriesStore, limits: ScrapeLimits): Promise<void> {
    const started = performance.now();
    const seen = this.#seen;
    seen.clear();
    const batchSeries = this.#batchSeries;
    const batchValues = this.#batchValues;
    batchSeries.length = 0;
    batchValues.length = 0;
    let up = 0;
    let samples = 0;
    try {
      const body = await fetchMetrics(this.spec.url, { timeoutMs: limits.timeoutMs, bodyLimitBytes: limits.bodyLimitBytes, token: this.spec.token });
      samples = parseExposition(body, (text, value, line) => {
        if (batchSeries.length >= limits.sampleLimit) throw new ScrapeFailure(`sample limit exceeded: more than ${limits.sampleLimit} samples`);
        let series = this.#cache.get(text);
        if (!series || series.removed) {
          series = store.getOrCreate(this.#targetLabels(parseSeriesText(text, line)));
          this.#cache.set(detachString(text), series);
        }
        batchSeries.push(series);
        batchValues.push(value);
      });
      for (let i = 0; i < batchSeries.length; i++) {
        const series = batchSeries[i]!;
        // A duplicate line for the same series keeps its first value, as Prometheus does.
        if (!seen.has(series)) series.append(now, batchValues[i]!);
        seen.add(series);
      }
      up = 1;
      this.health = 'up';
      this.lastError = undefined;
    } catch (error) {
      if (!(error instanceof ScrapeFailure) && !(error instanceof ExpositionError)) throw error;
      this.health = 'down';
      this.lastError = error instanceof ExpositionError ? `not the Prometheus text format: ${error.message}` : error.message;
      samples = 0;
    }
    for (const series of this.#previous) if (!seen.has(series)) series.markStale(now);
    this.#seen = this.#previous;
    this.#previous = seen;
    batchSeries.length = 0;
    this.#pruneCache(seen);
    this.lastScrape = now;
    this.lastDurationMs = performance.now() - started;
    this.lastSamples = samples;
    store.getOrCreate(this.#syntheticLabels.up).append(now, up);
    store.getOrCreate(this.#syntheticLabels.duration).append(now, this.lastDurationMs / 1000);
    store.getOrCreate(this.#syntheticLabels.samples).append(now, samples);
  }

  /** Marks every series of this target stale (the target was removed or the plugin stops). */
  markAllStale(now: number): void {
    for (const series of this.#previous) series.markStale(now);
    this.#previous.clear();
  }

  /** Adds the target's labels; a scraped label that clashes is kept as `exported_<name>`. */
  #targetLabels(scraped: Labels): Labels {
    const pairs = new Map<string, string>();
    for (const name in scraped) {
      if (name in this.spec.labels) pairs.set(`exported_${name}`, scraped[name]!);
      else pairs.set(name, scraped[name]!);
    }
    for (const name in this.spec.labels) pairs.set(name, this.spec.labels[name]!);
    return makeLabels(pairs);
  }

  /** Drops cache entries of series the target no longer exposes, once they outnumber live ones. */
  #pruneCache(seen: ReadonlySet<Series>): void {
    if (this.#cache.size <= 2 * seen.size + 64) return;
    for (const [text, series] of this.#cache) if (!seen.has(series)) this.#cache.delete(text);
  }
}
