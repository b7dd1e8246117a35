/**
 * One alerting rule's state machine, as Prometheus runs it: each result series becomes a pending
 * alert, fires once it has been active for `for`, stays firing for `keep_firing_for` after the
 * expression stops returning it, then resolves; resolved alerts are kept (and re-sent) for 15
 * minutes so a lost notification is repaired.
 */
import { dropMetricName, labelsKey, makeLabels, type Labels } from '../model/labels.js';
import { evaluate, type EvalContext } from '../promql/evaluator.js';
import { EvaluationError, type Sample } from '../promql/values.js';
import { TemplateError } from '../template/template.js';
import type { AlertingRuleSpec } from './ruleSpec.js';

/** How long a resolved alert is remembered and re-sent, as in Prometheus. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;
/** Minimum time between re-sends of an unchanged alert, as in Prometheus. */
export const RESEND_DELAY_MS = 60_000;

/** The life of one alert. */
export type AlertState = 'pending' | 'firing' | 'inactive';

/** One active (or recently resolved) alert of a rule. */
export interface RuleAlert {
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  lastSentAt: number;
  keepFiringSince: number;
  validUntil: number;
}

/** What the template of a label or annotation can see. */
export interface TemplateContext {
  readonly externalLabels: Labels;
  readonly externalURL: string;
}

/** An alerting rule with its active alerts. */
export class AlertingRule {
  readonly spec: AlertingRuleSpec;
  readonly active = new Map<string, RuleAlert>();

  constructor(spec: AlertingRuleSpec) {
    this.spec = spec;
  }

  /** Evaluates at `ctx.time` and advances every alert's state. Throws EvaluationError. */
  evaluate(ctx: EvalContext, templates: TemplateContext, intervalMs: number): void {
    const ts = ctx.time;
    const result = evaluate(this.spec.expr, ctx);
    const samples: readonly Sample[] = result.type === 'scalar' ? [{ labels: makeLabels([]), v: result.v }] : result.samples;
    const seen = new Map<string, { labels: Labels; annotations: Labels; value: number }>();
    for (const sample of samples) {
      const base = dropMetricName(sample.labels);
      const expand = (map: AlertingRuleSpec['labels']): [string, string][] =>
        [...map].map(([key, template]) => [key, this.#expand(template, base, sample.v, templates)]);
      const pairs = new Map<string, string>(Object.entries(base));
      for (const [key, value] of expand(this.spec.labels)) pairs.set(key, value);
      pairs.set('alertname', this.spec.name);
      const labels = makeLabels(pairs);
      const key = labelsKey(labels);
      if (seen.has(key)) throw new EvaluationError('vector contains metrics with the same labelset after applying alert labels');
      seen.set(key, { labels, annotations: makeLabels(expand(this.spec.annotations)), value: sample.v });
    }
    for (const [key, next] of seen) {
      const alert = this.active.get(key);
      if (alert && alert.state !== 'inactive') {
        alert.value = next.value;
        alert.annotations = next.annotations;
        continue;
      }
      this.active.set(key, {
        labels: next.labels, annotations: next.annotations, state: 'pending', value: next.value,
        activeAt: ts, firedAt: 0, resolvedAt: 0, lastSentAt: 0, keepFiringSince: 0, validUntil: 0,
      });
    }
    const resendWindow = 4 * Math.max(intervalMs, RESEND_DELAY_MS);
    for (const [key, alert] of this.active) {
      if (!seen.has(key)) {
        let keepFiring = false;
        if (alert.state === 'firing' && this.spec.keepFiringForMs > 0) {
          if (alert.keepFiringSince === 0) alert.keepFiringSince = ts;
          keepFiring = ts - alert.keepFiringSince < this.spec.keepFiringForMs;
        }
        if (alert.state === 'pending' || (alert.resolvedAt !== 0 && ts - alert.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(key);
        if (alert.state !== 'inactive' && !keepFiring) {
          alert.state = 'inactive';
          alert.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else alert.keepFiringSince = 0;
      if (alert.state === 'pending' && ts - alert.activeAt >= this.spec.forMs) {
        alert.state = 'firing';
        alert.firedAt = ts;
      }
      alert.validUntil = ts + resendWindow;
    }
  }

  /** Alerts due to go to the dispatcher now (firing or resolved), marked as sent. */
  takeAlertsToSend(ts: number): RuleAlert[] {
    const out: RuleAlert[] = [];
    for (const alert of this.active.values()) {
      if (alert.state === 'pending') continue;
      const resolvedSinceSent = alert.resolvedAt > alert.lastSentAt;
      if (!resolvedSinceSent && alert.lastSentAt !== 0 && alert.lastSentAt + RESEND_DELAY_MS >= ts) continue;
      alert.lastSentAt = ts;
      out.push(alert);
    }
    return out;
  }

  /** Alerts currently pending or firing. */
  activeAlerts(): RuleAlert[] {
    return [...this.active.values()].filter((a) => a.state !== 'inactive');
  }

  #expand(template: AlertingRuleSpec['labels'] extends ReadonlyMap<string, infer T> ? T : never, labels: Labels, value: number, ctx: TemplateContext): string {
    const data = { Labels: labels, ExternalLabels: ctx.externalLabels, ExternalURL: ctx.externalURL, Value: value };
    try {
      return template.render(data, { labels, externalLabels: ctx.externalLabels, externalURL: ctx.externalURL, value });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return `<error expanding template: ${error.message}>`;
    }
  }
}
