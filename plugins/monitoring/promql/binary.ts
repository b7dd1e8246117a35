/**
 * Binary operators: arithmetic, comparisons (filtering, or 0/1 with `bool`) and the set
 * operators, with Prometheus' vector matching (on/ignoring, group_left/group_right).
 */
import { dropMetricName, makeLabels, METRIC_NAME, signature, type Labels } from '../model/labels.js';
import type { Binary, BinaryOp, VectorMatching } from './ast.js';
import { isComparison } from './typeCheck.js';
import { EvaluationError, type InstantValue, type Sample } from './values.js';

/** Applies `op` to two numbers: [value, keep]. Comparisons return the left value and the test. */
export function applyOp(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+': return [l + r, true];
    case '-': return [l - r, true];
    case '*': return [l * r, true];
    case '/': return [l / r, true];
    case '%': return [l % r, true];
    case '^': return [goPow(l, r), true];
    case '==': return [l, l === r];
    case '!=': return [l, l !== r];
    case '>': return [l, l > r];
    case '<': return [l, l < r];
    case '>=': return [l, l >= r];
    case '<=': return [l, l <= r];
  }
  throw new EvaluationError(`operator '${op}' does not apply to numbers`);
}

/** Go's math.Pow, which differs from `**` for a base of 1 or -1. */
function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

/** Evaluates a binary node whose operands are already evaluated. */
export function evaluateBinary(node: Binary, lhs: InstantValue, rhs: InstantValue): InstantValue {
  const { op, returnBool } = node;
  if (lhs.type === 'scalar' && rhs.type === 'scalar') {
    const [value, keep] = applyOp(op, lhs.v, rhs.v);
    return { type: 'scalar', v: isComparison(op) ? (keep ? 1 : 0) : value };
  }
  if (lhs.type === 'vector' && rhs.type === 'vector') {
    const matching = node.matching!;
    if (op === 'and' || op === 'or' || op === 'unless') return { type: 'vector', samples: setOperation(op, lhs.samples, rhs.samples, matching) };
    return { type: 'vector', samples: vectorBinop(op, lhs.samples, rhs.samples, matching, returnBool) };
  }
  const swap = lhs.type === 'scalar';
  const vector = (swap ? rhs : lhs) as Extract<InstantValue, { type: 'vector' }>;
  const scalar = (swap ? lhs : rhs) as Extract<InstantValue, { type: 'scalar' }>;
  const out: Sample[] = [];
  const dropName = !isComparison(op) || returnBool;
  for (const sample of vector.samples) {
    const [l, r] = swap ? [scalar.v, sample.v] : [sample.v, scalar.v];
    let [value, keep] = applyOp(op, l, r);
    if (isComparison(op) && swap) value = r;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (keep) out.push({ labels: dropName ? dropMetricName(sample.labels) : sample.labels, v: value });
  }
  return { type: 'vector', samples: out };
}

// One set per matching clause, so signatures cached per label set are found again next time.
const matchingSets = new WeakMap<VectorMatching, ReadonlySet<string>>();

function signatureOf(labels: Labels, matching: VectorMatching): string {
  let names = matchingSets.get(matching);
  if (!names) {
    names = new Set(matching.on ? matching.labels : [...matching.labels, METRIC_NAME]);
    matchingSets.set(matching, names);
  }
  return signature(labels, names, matching.on);
}

function setOperation(op: 'and' | 'or' | 'unless', lhs: readonly Sample[], rhs: readonly Sample[], matching: VectorMatching): Sample[] {
  const rightSigs = new Set(rhs.map((s) => signatureOf(s.labels, matching)));
  if (op === 'and') return lhs.filter((s) => rightSigs.has(signatureOf(s.labels, matching)));
  if (op === 'unless') return lhs.filter((s) => !rightSigs.has(signatureOf(s.labels, matching)));
  const leftSigs = new Set(lhs.map((s) => signatureOf(s.labels, matching)));
  return [...lhs, ...rhs.filter((s) => !leftSigs.has(signatureOf(s.labels, matching)))];
}

function vectorBinop(op: BinaryOp, lhsIn: readonly Sample[], rhsIn: readonly Sample[], matching: VectorMatching, returnBool: boolean): Sample[] {
  const oneToMany = matching.card === 'one-to-many';
  const [lhs, rhs] = oneToMany ? [rhsIn, lhsIn] : [lhsIn, rhsIn];
  const rightSigs = new Map<string, Sample>();
  for (const rs of rhs) {
    const sig = signatureOf(rs.labels, matching);
    const duplicate = rightSigs.get(sig);
    if (duplicate) {
      throw new EvaluationError(
        `found duplicate series for the match group on the ${oneToMany ? 'left' : 'right'} hand-side of the operation: ` +
          `[${JSON.stringify(rs.labels)}, ${JSON.stringify(duplicate.labels)}]; many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    rightSigs.set(sig, rs);
  }
  const matched = new Map<string, Set<string> | null>();
  const out: Sample[] = [];
  for (const ls of lhs) {
    const sig = signatureOf(ls.labels, matching);
    const rs = rightSigs.get(sig);
    if (!rs) continue;
    const [vl, vr] = oneToMany ? [rs.v, ls.v] : [ls.v, rs.v];
    let [value, keep] = applyOp(op, vl, vr);
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;
    let labels = resultLabels(ls.labels, rs.labels, op, matching);
    if (returnBool) labels = dropMetricName(labels);
    const inserted = matched.get(sig);
    if (matching.card === 'one-to-one') {
      if (inserted !== undefined) throw new EvaluationError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      matched.set(sig, null);
    } else {
      const key = JSON.stringify(labels);
      if (inserted?.has(key)) throw new EvaluationError('multiple matches for labels: grouping labels must ensure unique matches');
      if (inserted) inserted.add(key);
      else matched.set(sig, new Set([key]));
    }
    out.push({ labels, v: value });
  }
  return out;
}

function resultLabels(lhs: Labels, one: Labels, op: BinaryOp, matching: VectorMatching): Labels {
  const out = new Map(Object.entries(lhs));
  if (!isComparison(op)) out.delete(METRIC_NAME);
  if (matching.card === 'one-to-one') {
    const names = new Set(matching.labels);
    for (const name of [...out.keys()]) if (names.has(name) !== matching.on) out.delete(name);
  }
  for (const name of matching.include) {
    const value = one[name];
    if (value) out.set(name, value);
    else out.delete(name);
  }
  return makeLabels(out);
}
