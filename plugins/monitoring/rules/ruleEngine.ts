/**
 * Runs rule groups on their intervals against the series store: recording rules write new series,
 * alerting rules advance their alerts, and the alerts due to be (re)sent are handed back for the
 * dispatcher. Like Prometheus, it writes `ALERTS{alertname, alertstate}` series, and stale markers
 * for series a rule stops producing.
 */
import { dropMetricName, labelsKey, makeLabels, METRIC_NAME, type Labels } from '../model/labels.js';
import { evaluate } from '../promql/evaluator.js';
import { EvaluationError } from '../promql/values.js';
import type { Series } from '../tsdb/series.js';
import type { SeriesStore } from '../tsdb/seriesStore.js';
import { makeAlert, type Alert } from '../alerting/alert.js';
import { AlertingRule, type RuleAlert, type TemplateContext } from './alertingRule.js';
import type { RecordingRuleSpec, RuleGroupSpec, RuleSpec } from './ruleSpec.js';

/** The run-time state of one rule, for the rules API and status page. */
export interface RuleRuntime {
  readonly spec: RuleSpec;
  readonly alerting: AlertingRule | undefined;
  health: 'unknown' | 'ok' | 'err';
  lastError: string | undefined;
  lastEvaluation: number;
  lastDurationMs: number;
  /** Series this rule wrote at its last evaluation (recording output or ALERTS), for stale markers. */
  written: Map<string, Series>;
}

/** The run-time state of one group. */
export interface GroupRuntime {
  readonly spec: RuleGroupSpec;
  readonly intervalMs: number;
  readonly rules: RuleRuntime[];
  nextEvalAt: number;
  lastEvaluation: number;
  lastDurationMs: number;
}

/** Persisted alert state, so a restart keeps firing alerts firing (same start) and resolves the rest. */
export type RuleStateSnapshot = Record<string, RuleAlert[]>;

/** Options of a {@link RuleEngine}. */
export interface RuleEngineOptions {
  readonly store: SeriesStore;
  readonly groups: readonly RuleGroupSpec[];
  readonly defaultIntervalMs: number;
  readonly templates: TemplateContext;
  /** Prefix of each alert's generatorURL (the monitoring API's base URL). */
  readonly externalURL: string;
  /** Clock source used to time evaluations (real time, for the duration metrics). */
  readonly stopwatch?: () => number;
}

/** Evaluates every rule group when due. */
export class RuleEngine {
  readonly groups: GroupRuntime[];
  readonly #options: RuleEngineOptions;
  readonly #stopwatch: () => number;

  constructor(options: RuleEngineOptions) {
    this.#options = options;
    this.#stopwatch = options.stopwatch ?? (() => performance.now());
    this.groups = options.groups.map((spec) => ({
      spec,
      intervalMs: spec.intervalMs ?? options.defaultIntervalMs,
      nextEvalAt: 0,
      lastEvaluation: 0,
      lastDurationMs: 0,
      rules: spec.rules.map((rule) => ({
        spec: rule, alerting: rule.kind === 'alert' ? new AlertingRule(rule) : undefined,
        health: 'unknown' as const, lastError: undefined, lastEvaluation: 0, lastDurationMs: 0, written: new Map(),
      })),
    }));
  }

  /** The earliest time a group is due. */
  get nextDue(): number {
    return Math.min(...this.groups.map((g) => g.nextEvalAt), Infinity);
  }

  /** Evaluates each group due at `now`; returns the alerts to hand to the dispatcher. */
  evaluateDue(now: number): Alert[] {
    const out: Alert[] = [];
    for (const group of this.groups) {
      if (group.nextEvalAt > now) continue;
      // A group that fell far behind (a paused process) skips the missed rounds.
      group.nextEvalAt = group.nextEvalAt === 0 || now - group.nextEvalAt >= group.intervalMs ? now + group.intervalMs : group.nextEvalAt + group.intervalMs;
      out.push(...this.evaluateGroup(group, now));
    }
    return out;
  }

  /** Evaluates one group at `ts`. Rule failures are recorded on the rule, not thrown. */
  evaluateGroup(group: GroupRuntime, ts: number): Alert[] {
    const started = this.#stopwatch();
    const out: Alert[] = [];
    for (const rule of group.rules) {
      const ruleStarted = this.#stopwatch();
      try {
        if (rule.alerting) out.push(...this.#runAlerting(rule, rule.alerting, ts, group.intervalMs));
        else this.#runRecording(rule, rule.spec as RecordingRuleSpec, ts);
        rule.health = 'ok';
        rule.lastError = undefined;
      } catch (error) {
        if (!(error instanceof EvaluationError)) throw error;
        rule.health = 'err';
        rule.lastError = error.message;
      }
      rule.lastEvaluation = ts;
      rule.lastDurationMs = this.#stopwatch() - ruleStarted;
    }
    group.lastEvaluation = ts;
    group.lastDurationMs = this.#stopwatch() - started;
    return out;
  }

  /** Every pending or firing alert, for the API. */
  activeAlerts(): { rule: RuleRuntime; alert: RuleAlert }[] {
    return this.groups.flatMap((g) => g.rules.flatMap((rule) => (rule.alerting?.activeAlerts() ?? []).map((alert) => ({ rule, alert }))));
  }

  /** The alert state of every rule, keyed by group and rule name. */
  snapshot(): RuleStateSnapshot {
    const out: RuleStateSnapshot = {};
    for (const group of this.groups) {
      for (const rule of group.rules) {
        if (rule.alerting && rule.alerting.active.size > 0) out[stateKey(group, rule)] = [...rule.alerting.active.values()].map((a) => ({ ...a }));
      }
    }
    return out;
  }

  /** Restores alert state saved by {@link snapshot}; alerts of rules that no longer exist are dropped. */
  restore(snapshot: RuleStateSnapshot): void {
    for (const group of this.groups) {
      for (const rule of group.rules) {
        const saved = snapshot[stateKey(group, rule)];
        if (!rule.alerting || !saved) continue;
        for (const alert of saved) {
          const labels = makeLabels(Object.entries(alert.labels));
          rule.alerting.active.set(labelsKey(labels), { ...alert, labels, annotations: makeLabels(Object.entries(alert.annotations)) });
        }
      }
    }
  }

  #runAlerting(rule: RuleRuntime, alerting: AlertingRule, ts: number, intervalMs: number): Alert[] {
    const { store, templates, externalURL } = this.#options;
    alerting.evaluate({ store, time: ts }, templates, intervalMs);
    const current = new Map<string, Labels>();
    for (const alert of alerting.activeAlerts()) {
      const labels = makeLabels([...Object.entries(alert.labels), [METRIC_NAME, 'ALERTS'], ['alertstate', alert.state]]);
      current.set(labelsKey(labels), labels);
    }
    this.#writeSeries(rule, current, () => 1, ts);
    const generatorURL = `${externalURL}/api/v1/query?query=${encodeURIComponent(rule.spec.exprText)}`;
    return alerting.takeAlertsToSend(ts).map((a) =>
      makeAlert({
        labels: a.labels, annotations: a.annotations, startsAt: a.firedAt,
        endsAt: a.state === 'inactive' ? a.resolvedAt : a.validUntil, generatorURL, updatedAt: ts,
      }),
    );
  }

  #runRecording(rule: RuleRuntime, spec: RecordingRuleSpec, ts: number): void {
    const result = evaluate(spec.expr, { store: this.#options.store, time: ts });
    const samples = result.type === 'scalar' ? [{ labels: makeLabels([]), v: result.v }] : result.samples;
    const current = new Map<string, Labels>();
    const values = new Map<string, number>();
    for (const sample of samples) {
      const pairs = new Map(Object.entries(dropMetricName(sample.labels)));
      for (const [key, value] of spec.labels) pairs.set(key, value);
      pairs.set(METRIC_NAME, spec.name);
      const labels = makeLabels(pairs);
      const key = labelsKey(labels);
      if (current.has(key)) throw new EvaluationError('vector contains metrics with the same labelset after applying rule labels');
      current.set(key, labels);
      values.set(key, sample.v);
    }
    this.#writeSeries(rule, current, (key) => values.get(key)!, ts);
  }

  #writeSeries(rule: RuleRuntime, current: Map<string, Labels>, valueOf: (key: string) => number, ts: number): void {
    const written = new Map<string, Series>();
    for (const [key, labels] of current) {
      const known = rule.written.get(key);
      const series = known && !known.removed ? known : this.#options.store.getOrCreate(labels);
      series.append(ts, valueOf(key));
      written.set(key, series);
    }
    for (const [key, series] of rule.written) if (!written.has(key)) series.markStale(ts);
    rule.written = written;
  }
}

function stateKey(group: GroupRuntime, rule: RuleRuntime): string {
  return `${group.spec.origin.source}\u0000${group.spec.name}\u0000${rule.spec.name}`;
}
