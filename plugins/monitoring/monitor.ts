/**
 * The running monitor: scrapes, rule evaluation, dispatch, notification delivery, heartbeat and
 * housekeeping, all timed by the injected clock. `tick()` runs whatever is due now and waits for
 * it (tests drive it with a ManualClock); with a real clock, `start()` also runs a loop that never
 * lets a slow target or receiver hold up rule evaluation.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { HearthError } from '../../core/errors/HearthError.js';
import { ManualClock, type Clock } from '../../core/services/clock.js';
import { Dispatcher } from './alerting/dispatcher.js';
import type { Inhibitor } from './alerting/inhibitor.js';
import type { NotificationLog } from './alerting/notificationLog.js';
import { Notifier } from './alerting/notifier.js';
import type { Route } from './alerting/route.js';
import { silenceState, type Silences } from './alerting/silences.js';
import type { MonitoringConfig } from './config.js';
import type { Heartbeat } from './heartbeat.js';
import type { Integration } from './receivers/integration.js';
import type { RuleEngine, RuleStateSnapshot } from './rules/ruleEngine.js';
import type { ScrapeManager } from './scrape/scrapeManager.js';
import { createMonitoringMetrics, type MonitoringMetrics } from './selfMetrics.js';
import type { StateFile } from './state/stateFile.js';
import type { SeriesStore } from './tsdb/seriesStore.js';

/** Clock time between housekeeping rounds (retention, silence and log clean-up). */
const HOUSEKEEPING_MS = 60_000;
/** Longest sleep of the real-time loop, so a changed clock or new work is noticed quickly. */
const MAX_LOOP_SLEEP_MS = 1000;

/** The parts a monitor runs. */
export interface MonitorParts {
  readonly config: MonitoringConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: SeriesStore;
  readonly scrapes: ScrapeManager;
  readonly rules: RuleEngine;
  readonly silences: Silences;
  readonly log: NotificationLog;
  readonly receivers: ReadonlyMap<string, readonly Integration[]>;
  readonly route: Route;
  readonly inhibitor: Inhibitor;
  readonly heartbeat: Heartbeat | undefined;
  readonly ruleState: StateFile<RuleStateSnapshot>;
  readonly externalURL: string;
  readonly registry: Registry | undefined;
}

/** Scrapes, evaluates, routes and notifies. */
export class Monitor {
  readonly parts: MonitorParts;
  readonly notifier: Notifier;
  readonly dispatcher: Dispatcher;
  readonly metrics: MonitoringMetrics | undefined;
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #startedAt = 0;
  #rulesReady = false;
  #lastEvaluation = 0;
  #nextHousekeeping = 0;
  #ruleStateSignature = '';

  constructor(parts: MonitorParts) {
    this.parts = parts;
    const { receivers, log, silences, inhibitor, externalURL, logger, config, registry } = parts;
    this.metrics = registry ? createMonitoringMetrics(registry, this.#stateForMetrics()) : undefined;
    this.notifier = new Notifier({
      receivers, log, silences, inhibitor, externalURL, logger, sendTimeoutMs: config.notifications.timeoutMs,
      onAttempt: (integration, outcome) => {
        this.metrics?.notifications.inc({ integration: integration.type });
        if (outcome !== 'ok') this.metrics?.notificationsFailed.inc({ integration: integration.type });
      },
    });
    this.dispatcher = new Dispatcher(parts.route, this.notifier);
    const health = new Map<string, string>();
    parts.scrapes.onScrape = (target) => {
      this.metrics?.scrapes.inc({ result: target.health === 'up' ? 'success' : 'failure' });
      // Log changes of health only, not every failed scrape.
      if (health.get(target.spec.name) === target.health) return;
      health.set(target.spec.name, target.health);
      if (target.health === 'down') {
        const err = new HearthError('HEARTH_ERR_MONITORING_SCRAPE', `scraping '${target.spec.name}' failed: ${target.lastError}`);
        parts.logger.warn({ err, target: target.spec.name }, 'target down');
      } else parts.logger.info({ target: target.spec.name }, 'target up');
    };
  }

  /** Loads the alert state saved by the last run. */
  async restore(): Promise<void> {
    const saved = await this.parts.ruleState.read((raw) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected an object of rule states');
      return raw as RuleStateSnapshot;
    });
    if (saved) this.parts.rules.restore(saved);
  }

  /** True once rules are being evaluated (every target scraped once, or a scrape round has passed). */
  get rulesReady(): boolean {
    return this.#rulesReady;
  }

  /** Runs everything due at the clock's current time and waits for it to finish. */
  tick(): Promise<void> {
    return this.#serial(() => this.#step(true));
  }

  /** Starts the real-time loop (not with a ManualClock: tests call tick()). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (!(this.parts.clock instanceof ManualClock)) this.#schedule(0);
  }

  /** Stops the loop, waits for work in progress and saves the alert state. Idempotent. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#serial(async () => {
      await Promise.allSettled([...this.parts.scrapes.inFlight(), ...this.notifier.inFlight(), this.parts.heartbeat?.inFlight()]);
      await this.#saveRuleState(true);
    });
  }

  #serial(work: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      void this.#serial(() => this.#step(false))
        .catch((error: unknown) => this.parts.logger.error({ err: error }, 'monitoring step failed'))
        .finally(() => {
          if (!this.#running) return;
          const now = this.parts.clock.now().getTime();
          this.#schedule(Math.max(20, Math.min(MAX_LOOP_SLEEP_MS, this.#nextDue() - now)));
        });
    }, delayMs);
    this.#timer.unref();
  }

  #nextDue(): number {
    const { scrapes, rules, heartbeat } = this.parts;
    return Math.min(scrapes.nextDue(), rules.nextDue, this.dispatcher.nextDue(), this.notifier.nextDue(), heartbeat?.nextDue ?? Infinity, this.#nextHousekeeping);
  }

  async #step(wait: boolean): Promise<void> {
    const { clock, scrapes, rules, config, heartbeat } = this.parts;
    const now = clock.now().getTime();
    if (this.#startedAt === 0) this.#startedAt = now;
    scrapes.startDue(now);
    if (wait) await Promise.allSettled(scrapes.inFlight());
    if (!this.#rulesReady) {
      this.#rulesReady = scrapes.allScrapedOnce || now - this.#startedAt >= config.scrape.intervalMs + config.scrape.timeoutMs;
    }
    if (this.#rulesReady) this.#evaluate(now);
    await this.dispatcher.flushDue(now);
    this.notifier.startDue(now);
    const healthy = this.#rulesReady && (rules.groups.length === 0 || now - this.#lastEvaluation <= 3 * config.evaluationIntervalMs);
    heartbeat?.startDue(now, healthy, (at) => this.metrics?.heartbeatLastSuccess.set(at / 1000));
    if (now >= this.#nextHousekeeping) await this.#housekeeping(now);
    if (wait) {
      await Promise.allSettled([...this.notifier.inFlight(), heartbeat?.inFlight()]);
      // Let delivery outcomes (resolved alerts leaving their group) settle before returning.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #evaluate(now: number): void {
    const { rules } = this.parts;
    const alerts = rules.evaluateDue(now);
    for (const group of rules.groups) {
      if (group.lastEvaluation !== now) continue;
      this.#lastEvaluation = now;
      for (const rule of group.rules) {
        this.metrics?.ruleEvaluations.inc();
        if (rule.health === 'err') this.metrics?.ruleFailures.inc();
      }
    }
    if (alerts.length > 0) this.dispatcher.receive(alerts, now);
    void this.#saveRuleState(false).catch((error: unknown) => this.parts.logger.error({ err: error }, 'saving alert state failed'));
  }

  async #saveRuleState(force: boolean): Promise<void> {
    const snapshot = this.parts.rules.snapshot();
    const signature = JSON.stringify(
      Object.entries(snapshot).map(([key, alerts]) => [key, alerts.map((a) => [a.labels, a.state, a.activeAt, a.firedAt, a.resolvedAt])]),
    );
    if (!force && signature === this.#ruleStateSignature) return;
    this.#ruleStateSignature = signature;
    await this.parts.ruleState.write(snapshot);
  }

  async #housekeeping(now: number): Promise<void> {
    const { store, silences, log } = this.parts;
    this.#nextHousekeeping = now + HOUSEKEEPING_MS;
    store.truncate(now);
    this.dispatcher.collectGarbage(now);
    if (silences.gc(now)) await silences.persist();
    if (log.gc(now)) await log.persist();
  }

  #stateForMetrics(): Parameters<typeof createMonitoringMetrics>[1] {
    return {
      targetsByHealth: () => {
        const out = { up: 0, down: 0, unknown: 0 };
        for (const target of this.parts.scrapes.targets) out[target.health]++;
        return out;
      },
      series: () => this.parts.store.size,
      sampleBytes: () => this.parts.store.stats().sampleBytes,
      alertsByState: () => {
        const out = { pending: 0, firing: 0 };
        for (const { alert } of this.parts.rules.activeAlerts()) if (alert.state !== 'inactive') out[alert.state]++;
        return out;
      },
      silencesByState: () => {
        const out = { active: 0, pending: 0, expired: 0 };
        const now = this.parts.clock.now().getTime();
        for (const silence of this.parts.silences.list()) out[silenceState(silence, now)]++;
        return out;
      },
      queuedNotifications: () => this.parts.log.jobs().length,
      ruleGroupDurations: () => new Map(this.parts.rules.groups.map((g) => [g.spec.name, g.lastDurationMs])),
    };
  }
}
