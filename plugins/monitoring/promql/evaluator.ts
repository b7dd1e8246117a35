/**
 * Instant evaluation of a parsed expression at one point in time against the series store, with
 * Prometheus 2.x semantics: a 5-minute lookback for instant selectors, stale markers ending a
 * series at once, ranges that include both ends.
 */
import { dropMetricName, makeLabels, METRIC_NAME, type Labels } from '../model/labels.js';
import type { Matcher } from '../model/matcher.js';
import type { SeriesStore } from '../tsdb/seriesStore.js';
import type { Call, Expr, MatrixSelector, VectorSelector } from './ast.js';
import { aggregate } from './aggregate.js';
import { evaluateBinary } from './binary.js';
import { KEEPS_METRIC_NAME, RANGE_FUNCTIONS } from './rangeFunctions.js';
import { EvaluationError, type InstantValue, type RangeSeries, type Sample } from './values.js';

/** How far back an instant selector looks for a sample, as in Prometheus. */
export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

/** Where and when to evaluate. */
export interface EvalContext {
  readonly store: SeriesStore;
  /** Evaluation time, milliseconds since the epoch. */
  readonly time: number;
  readonly lookbackMs?: number;
}

/** Evaluates `expr` at `ctx.time`. Throws {@link EvaluationError} on a runtime failure. */
export function evaluate(expr: Expr, ctx: EvalContext): InstantValue {
  switch (expr.kind) {
    case 'number':
      return { type: 'scalar', v: expr.value };
    case 'vectorSelector':
      return { type: 'vector', samples: selectInstant(expr, ctx) };
    case 'aggregate': {
      const inner = evaluate(expr.expr, ctx);
      return { type: 'vector', samples: aggregate(expr, vectorOf(inner)) };
    }
    case 'binary':
      return evaluateBinary(expr, evaluate(expr.lhs, ctx), evaluate(expr.rhs, ctx));
    case 'unary': {
      const inner = evaluate(expr.expr, ctx);
      if (inner.type === 'scalar') return { type: 'scalar', v: -inner.v };
      return { type: 'vector', samples: inner.samples.map((s) => ({ labels: dropMetricName(s.labels), v: -s.v })) };
    }
    case 'call':
      return evaluateCall(expr, ctx);
    case 'string':
    case 'matrixSelector':
      throw new EvaluationError(`a ${expr.kind === 'string' ? 'string' : 'range vector'} cannot be the result of an expression`);
  }
}

function vectorOf(value: InstantValue): readonly Sample[] {
  if (value.type !== 'vector') throw new EvaluationError('expected an instant vector');
  return value.samples;
}

function selectInstant(selector: VectorSelector, ctx: EvalContext): Sample[] {
  const maxT = ctx.time - selector.offsetMs;
  const minT = maxT - (ctx.lookbackMs ?? DEFAULT_LOOKBACK_MS);
  const out: Sample[] = [];
  for (const series of ctx.store.select(selector.matchers)) {
    const point = series.latest(minT, maxT);
    if (point) out.push({ labels: series.labels, v: point.v });
  }
  return out;
}

function selectRange(matrix: MatrixSelector, ctx: EvalContext): RangeSeries[] {
  const maxT = ctx.time - matrix.selector.offsetMs;
  const minT = maxT - matrix.rangeMs;
  const out: RangeSeries[] = [];
  for (const series of ctx.store.select(matrix.selector.matchers)) {
    const ts: number[] = [];
    const vs: number[] = [];
    series.range(minT, maxT, ts, vs);
    if (ts.length > 0) out.push({ labels: series.labels, ts, vs });
  }
  return out;
}

function evaluateCall(call: Call, ctx: EvalContext): InstantValue {
  const rangeFn = RANGE_FUNCTIONS[call.func];
  if (rangeFn) {
    const matrix = call.args[0] as MatrixSelector;
    const rangeEnd = ctx.time - matrix.selector.offsetMs;
    const rangeStart = rangeEnd - matrix.rangeMs;
    const keepName = KEEPS_METRIC_NAME.has(call.func);
    const out: Sample[] = [];
    for (const series of selectRange(matrix, ctx)) {
      const v = rangeFn(series, rangeStart, rangeEnd, matrix.rangeMs);
      if (v !== undefined) out.push({ labels: keepName ? series.labels : dropMetricName(series.labels), v });
    }
    return { type: 'vector', samples: out };
  }
  switch (call.func) {
    case 'time':
      return { type: 'scalar', v: ctx.time / 1000 };
    case 'vector':
      return { type: 'vector', samples: [{ labels: makeLabels([]), v: scalarArg(call, 0, ctx) }] };
    case 'scalar': {
      const samples = vectorOf(evaluate(call.args[0]!, ctx));
      return { type: 'scalar', v: samples.length === 1 ? samples[0]!.v : NaN };
    }
    case 'absent': {
      const samples = vectorOf(evaluate(call.args[0]!, ctx));
      const arg = call.args[0]!;
      return absentResult(samples.length > 0, arg.kind === 'vectorSelector' ? arg.matchers : undefined);
    }
    case 'absent_over_time': {
      const matrix = call.args[0] as MatrixSelector;
      return absentResult(selectRange(matrix, ctx).length > 0, matrix.selector.matchers);
    }
    case 'abs':
      return mapVector(call, ctx, Math.abs);
    case 'ceil':
      return mapVector(call, ctx, Math.ceil);
    case 'floor':
      return mapVector(call, ctx, Math.floor);
    case 'clamp_min': {
      const min = scalarArg(call, 1, ctx);
      return mapVector(call, ctx, (v) => goMax(min, v));
    }
    case 'clamp_max': {
      const max = scalarArg(call, 1, ctx);
      return mapVector(call, ctx, (v) => goMin(max, v));
    }
  }
  throw new EvaluationError(`function '${call.func}' is not implemented`);
}

function scalarArg(call: Call, index: number, ctx: EvalContext): number {
  const value = evaluate(call.args[index]!, ctx);
  if (value.type !== 'scalar') throw new EvaluationError(`argument ${index + 1} of '${call.func}' must be a scalar`);
  return value.v;
}

function mapVector(call: Call, ctx: EvalContext, fn: (v: number) => number): InstantValue {
  const samples = vectorOf(evaluate(call.args[0]!, ctx));
  return { type: 'vector', samples: samples.map((s) => ({ labels: dropMetricName(s.labels), v: fn(s.v) })) };
}

/** The one-sample vector `absent` returns, labelled from the selector's equality matchers. */
function absentResult(present: boolean, matchers: readonly Matcher[] | undefined): InstantValue {
  if (present) return { type: 'vector', samples: [] };
  const labels = new Map<string, string>();
  const seen = new Set<string>();
  for (const m of matchers ?? []) {
    if (m.name === METRIC_NAME) continue;
    if (m.op === '=' && !seen.has(m.name)) {
      labels.set(m.name, m.value);
      seen.add(m.name);
    } else labels.delete(m.name);
  }
  const out: Labels = makeLabels(labels);
  return { type: 'vector', samples: [{ labels: out, v: 1 }] };
}

function goMax(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
}

function goMin(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
}
