/**
 * Functions over range vectors, computed per series exactly as Prometheus 2.x does: rate,
 * increase and delta extrapolate to the range boundaries and handle counter resets; irate and
 * idelta use the last two samples; the `_over_time` family aggregates in time.
 */
import type { RangeSeries } from './values.js';

/** Computes one series' value, or undefined to drop the series from the result. */
export type RangeFunction = (series: RangeSeries, rangeStart: number, rangeEnd: number, rangeMs: number) => number | undefined;

/**
 * Prometheus' extrapolatedRate: the change over the samples in the range, with counter resets
 * added back, extrapolated towards the range boundaries (but not past a counter's zero point,
 * and not more than half an average sample interval beyond the samples).
 */
function extrapolatedRate(isCounter: boolean, isRate: boolean): RangeFunction {
  return (series, rangeStart, rangeEnd, rangeMs) => {
    const { ts, vs } = series;
    const n = ts.length;
    if (n < 2) return undefined;
    const first = vs[0]!;
    const last = vs[n - 1]!;
    let result = last - first;
    if (isCounter) {
      let previous = 0;
      for (let i = 0; i < n; i++) {
        const v = vs[i]!;
        if (v < previous) result += previous;
        previous = v;
      }
    }
    let durationToStart = (ts[0]! - rangeStart) / 1000;
    const durationToEnd = (rangeEnd - ts[n - 1]!) / 1000;
    const sampledInterval = (ts[n - 1]! - ts[0]!) / 1000;
    const averageBetweenSamples = sampledInterval / (n - 1);
    if (isCounter && result > 0 && first >= 0) {
      const durationToZero = sampledInterval * (first / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    const threshold = averageBetweenSamples * 1.1;
    let extrapolateTo = sampledInterval;
    extrapolateTo += durationToStart < threshold ? durationToStart : averageBetweenSamples / 2;
    extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetweenSamples / 2;
    // The factor is formed first, as Prometheus does, so results agree to the last bit.
    let factor = extrapolateTo / sampledInterval;
    if (isRate) factor /= rangeMs / 1000;
    return result * factor;
  };
}

/** Prometheus' instantValue: the last two samples' difference (per second for irate). */
function instantValue(isRate: boolean): RangeFunction {
  return ({ ts, vs }) => {
    const n = ts.length;
    if (n < 2) return undefined;
    const last = vs[n - 1]!;
    const previous = vs[n - 2]!;
    const result = isRate && last < previous ? last : last - previous;
    const interval = ts[n - 1]! - ts[n - 2]!;
    if (interval === 0) return undefined;
    return isRate ? result / (interval / 1000) : result;
  };
}

/** Neumaier's compensated addition, as Prometheus' kahanSumInc: returns [sum, compensation]. */
function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

function isInf(v: number): boolean {
  return v === Infinity || v === -Infinity;
}

function avgOverTime({ vs }: RangeSeries): number {
  let mean = 0;
  let count = 0;
  let c = 0;
  for (const v of vs) {
    count++;
    if (isInf(mean)) {
      if (isInf(v) && mean > 0 === v > 0) continue;
      if (Number.isFinite(v)) continue;
    }
    [mean, c] = kahanSumInc(v / count - mean / count, mean, c);
  }
  return isInf(mean) ? mean : mean + c;
}

function sumOverTime({ vs }: RangeSeries): number {
  let sum = 0;
  let c = 0;
  for (const v of vs) [sum, c] = kahanSumInc(v, sum, c);
  return isInf(sum) ? sum : sum + c;
}

function maxOverTime({ vs }: RangeSeries): number {
  let max = vs[0]!;
  for (const v of vs) if (v > max || Number.isNaN(max)) max = v;
  return max;
}

function minOverTime({ vs }: RangeSeries): number {
  let min = vs[0]!;
  for (const v of vs) if (v < min || Number.isNaN(min)) min = v;
  return min;
}

/** Range-vector functions by name; each is skipped for series with no samples in the range. */
export const RANGE_FUNCTIONS: Readonly<Record<string, RangeFunction>> = Object.freeze({
  rate: extrapolatedRate(true, true),
  increase: extrapolatedRate(true, false),
  delta: extrapolatedRate(false, false),
  irate: instantValue(true),
  idelta: instantValue(false),
  avg_over_time: avgOverTime,
  sum_over_time: sumOverTime,
  max_over_time: maxOverTime,
  min_over_time: minOverTime,
  count_over_time: ({ vs }) => vs.length,
  last_over_time: ({ vs }) => vs[vs.length - 1],
});

/** Range functions whose result keeps the metric name (Prometheus drops it for all others). */
export const KEEPS_METRIC_NAME = new Set(['last_over_time']);
