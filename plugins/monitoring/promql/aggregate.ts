/**
 * Aggregation operators (sum, avg, min, max, count) with `by` / `without`, computed as
 * Prometheus 2.x does (including its incremental mean for avg and NaN handling for min/max).
 */
import { METRIC_NAME, pickLabels, signature } from '../model/labels.js';
import type { Aggregate } from './ast.js';
import type { Sample } from './values.js';

interface Group {
  readonly labels: Sample['labels'];
  value: number;
  mean: number;
  count: number;
}

// One set per aggregation node, so signatures cached per label set are found again next time.
const groupingSets = new WeakMap<Aggregate, ReadonlySet<string>>();

function groupingOf(node: Aggregate): ReadonlySet<string> {
  let names = groupingSets.get(node);
  if (!names) {
    names = new Set(node.without ? [...node.grouping, METRIC_NAME] : node.grouping);
    groupingSets.set(node, names);
  }
  return names;
}

/** Aggregates an instant vector. */
export function aggregate(node: Aggregate, samples: readonly Sample[]): Sample[] {
  const names = groupingOf(node);
  const include = !node.without;
  const groups = new Map<string, Group>();
  for (const sample of samples) {
    const key = signature(sample.labels, names, include);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { labels: pickLabels(sample.labels, names, include), value: sample.v, mean: sample.v, count: 1 });
      continue;
    }
    group.count++;
    const v = sample.v;
    switch (node.op) {
      case 'sum':
        group.value += v;
        break;
      case 'max':
        if (group.value < v || Number.isNaN(group.value)) group.value = v;
        break;
      case 'min':
        if (group.value > v || Number.isNaN(group.value)) group.value = v;
        break;
      case 'avg':
        if (isInf(group.mean)) {
          if (isInf(v) && group.mean > 0 === v > 0) break;
          if (Number.isFinite(v)) break;
        }
        // Each side of the subtraction is divided first so large values cannot overflow.
        group.mean += v / group.count - group.mean / group.count;
        break;
      case 'count':
        break;
    }
  }
  const out: Sample[] = [];
  for (const group of groups.values()) {
    const v = node.op === 'count' ? group.count : node.op === 'avg' ? group.mean : group.value;
    out.push({ labels: group.labels, v });
  }
  return out;
}

function isInf(v: number): boolean {
  return v === Infinity || v === -Infinity;
}
