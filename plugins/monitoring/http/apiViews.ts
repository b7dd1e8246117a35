/**
 * The JSON the monitoring API answers, shaped like Prometheus' (`/api/v1/targets`, `/alerts`,
 * `/rules`, `/query`) and Alertmanager's (silences) APIs so their clients and habits carry over.
 */
import { silenceState, type Silence } from '../alerting/silences.js';
import { formatGoFloat } from '../template/goFormat.js';
import type { Monitor } from '../monitor.js';
import { parsePromQL, PromQLError } from '../promql/parse.js';
import { evaluate } from '../promql/evaluator.js';
import { EvaluationError } from '../promql/values.js';
import { HearthError } from '../../../core/errors/HearthError.js';
import { isResolved } from '../alerting/alert.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** `/api/v1/targets` */
export function targetsView(monitor: Monitor): object {
  return {
    status: 'success',
    data: {
      activeTargets: monitor.parts.scrapes.targets.map((t) => ({
        name: t.spec.name,
        labels: t.spec.labels,
        scrapeUrl: t.spec.url,
        health: t.health,
        lastError: t.lastError ?? '',
        lastScrape: t.lastScrape ? iso(t.lastScrape) : null,
        lastScrapeDuration: t.lastDurationMs / 1000,
        samples: t.lastSamples,
      })),
    },
  };
}

/** One pending or firing alert, with what mutes it. */
export interface AlertView {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
  readonly silencedBy: string[];
  readonly inhibitedBy: string[];
}

/** Pending and firing alerts of every rule. */
export function alertViews(monitor: Monitor): AlertView[] {
  const now = monitor.parts.clock.now().getTime();
  const held = [...monitor.dispatcher.alerts.values()].filter((a) => !isResolved(a, now));
  return monitor.parts.rules.activeAlerts().map(({ alert }) => {
    const inhibitor = monitor.parts.inhibitor.inhibitedBy(alert.labels, held, now);
    return {
      labels: alert.labels,
      annotations: alert.annotations,
      state: alert.state as 'pending' | 'firing',
      activeAt: iso(alert.activeAt),
      value: formatGoFloat(alert.value),
      silencedBy: monitor.parts.silences.mutedBy(alert.labels, now),
      inhibitedBy: inhibitor ? [inhibitor] : [],
    };
  });
}

/** `/api/v1/rules` */
export function rulesView(monitor: Monitor): object {
  return {
    status: 'success',
    data: {
      groups: monitor.parts.rules.groups.map((g) => ({
        name: g.spec.name,
        file: g.spec.origin.source,
        interval: g.intervalMs / 1000,
        lastEvaluation: g.lastEvaluation ? iso(g.lastEvaluation) : null,
        evaluationTime: g.lastDurationMs / 1000,
        rules: g.rules.map((r) => ({
          name: r.spec.name,
          type: r.spec.kind === 'alert' ? 'alerting' : 'recording',
          query: r.spec.exprText,
          health: r.health,
          lastError: r.lastError ?? '',
          evaluationTime: r.lastDurationMs / 1000,
          ...(r.spec.kind === 'alert' ? { duration: r.spec.forMs / 1000, keepFiringFor: r.spec.keepFiringForMs / 1000, alerts: r.alerting?.activeAlerts().length ?? 0 } : {}),
        })),
      })),
    },
  };
}

/** `/api/v1/query?query=...&time=...` (time in seconds since the epoch, default now). */
export function queryView(monitor: Monitor, query: string, time: number): object {
  try {
    const result = evaluate(parsePromQL(query), { store: monitor.parts.store, time });
    const at = time / 1000;
    if (result.type === 'scalar') return { status: 'success', data: { resultType: 'scalar', result: [at, formatGoFloat(result.v)] } };
    return { status: 'success', data: { resultType: 'vector', result: result.samples.map((s) => ({ metric: s.labels, value: [at, formatGoFloat(s.v)] })) } };
  } catch (error) {
    if (error instanceof PromQLError) throw new HearthError('HEARTH_ERR_MONITORING_PROMQL', `cannot parse '${query}': ${error.message}`, { cause: error });
    if (error instanceof EvaluationError) throw new HearthError('HEARTH_ERR_MONITORING_EVAL', `'${query}' failed: ${error.message}`, { cause: error });
    throw error;
  }
}

/** A silence as Alertmanager's v2 API shows it. */
export function silenceView(silence: Silence, now: number): object {
  return {
    id: silence.id,
    status: { state: silenceState(silence, now) },
    updatedAt: iso(silence.updatedAt),
    matchers: silence.matchers,
    startsAt: iso(silence.startsAt),
    endsAt: iso(silence.endsAt),
    createdBy: silence.createdBy,
    comment: silence.comment,
  };
}
