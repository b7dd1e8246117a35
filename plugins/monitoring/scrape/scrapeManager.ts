/**
 * Schedules the scrapes of every target on the injected clock: each target is scraped when its
 * time has come and no scrape of it is still running; a target that fell behind (a paused
 * process) skips the missed rounds instead of bursting.
 */
import type { SeriesStore } from '../tsdb/seriesStore.js';
import { ScrapeTarget, type ScrapeLimits } from './scrapeTarget.js';
import type { TargetSpec } from './targets.js';

/** Options of the scrape schedule. */
export interface ScrapeSchedule extends ScrapeLimits {
  readonly intervalMs: number;
}

/** Every target and its next scrape. */
export class ScrapeManager {
  readonly targets: readonly ScrapeTarget[];
  readonly #store: SeriesStore;
  readonly #schedule: ScrapeSchedule;
  readonly #inFlight = new Map<ScrapeTarget, Promise<void>>();
  /** Called after each scrape, for metrics. */
  onScrape: ((target: ScrapeTarget) => void) | undefined;

  constructor(specs: readonly TargetSpec[], store: SeriesStore, schedule: ScrapeSchedule) {
    this.#store = store;
    this.#schedule = schedule;
    this.targets = specs.map((spec) => new ScrapeTarget(spec));
  }

  /** True once every target has been scraped at least once (rules wait for this). */
  get allScrapedOnce(): boolean {
    return this.targets.every((t) => t.lastScrape > 0);
  }

  /** Starts the scrapes due at `now`; returns their promises. */
  startDue(now: number): Promise<void>[] {
    const started: Promise<void>[] = [];
    const { intervalMs } = this.#schedule;
    for (const target of this.targets) {
      if (target.nextScrapeAt > now || this.#inFlight.has(target)) continue;
      const behind = target.nextScrapeAt === 0 || now - target.nextScrapeAt >= intervalMs;
      target.nextScrapeAt = behind ? now + intervalMs : target.nextScrapeAt + intervalMs;
      const run = target
        .scrape(now, this.#store, this.#schedule)
        .then(() => this.onScrape?.(target))
        .finally(() => this.#inFlight.delete(target));
      this.#inFlight.set(target, run);
      started.push(run);
    }
    return started;
  }

  /** Scrapes in progress. */
  inFlight(): Promise<void>[] {
    return [...this.#inFlight.values()];
  }

  /** When the next scrape is due (Infinity without targets). */
  nextDue(): number {
    return Math.min(Infinity, ...this.targets.map((t) => t.nextScrapeAt));
  }

  /** Marks every target's series stale (on stop). */
  markAllStale(now: number): void {
    for (const target of this.targets) target.markAllStale(now);
  }
}
