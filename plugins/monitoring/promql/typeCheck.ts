/**
 * The type rules of PromQL binary expressions, as Prometheus' parser applies them (checkAST).
 */
import type { BinaryOp, ValueType, VectorMatching } from './ast.js';

const COMPARISONS = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);

/** True for `==`, `!=`, `>`, `<`, `>=`, `<=`. */
export function isComparison(op: BinaryOp): boolean {
  return COMPARISONS.has(op);
}

/** True for `and`, `or`, `unless`. */
export function isSetOperator(op: BinaryOp): boolean {
  return SET_OPS.has(op);
}

/**
 * Checks a binary expression. Returns a message when it is invalid; otherwise the vector matching
 * to use (undefined when a side is a scalar).
 */
export function checkBinary(
  op: BinaryOp,
  lhs: ValueType,
  rhs: ValueType,
  returnBool: boolean,
  matching: VectorMatching | undefined,
): string | VectorMatching | undefined {
  if (returnBool && !isComparison(op)) return 'the bool modifier can only be used on comparison operators';
  if (isComparison(op) && !returnBool && lhs === 'scalar' && rhs === 'scalar') return 'comparisons between scalars must use the bool modifier';
  for (const side of [lhs, rhs]) {
    if (side !== 'scalar' && side !== 'vector') return 'binary expressions only take scalars and instant vectors';
  }
  let result: VectorMatching = matching ?? { card: 'one-to-one', on: false, labels: [], include: [] };
  if (result.on) {
    const clash = result.labels.find((label) => result.include.includes(label));
    if (clash !== undefined) return `label '${clash}' must not occur in ON and GROUP clause at once`;
  }
  if (isSetOperator(op) && result.card === 'one-to-one') result = { ...result, card: 'many-to-many' };
  if (lhs !== 'vector' || rhs !== 'vector') {
    if (isSetOperator(op)) return `set operator '${op}' is not allowed in binary scalar expression`;
    if (matching && (matching.labels.length > 0 || matching.on || matching.card !== 'one-to-one')) {
      return 'vector matching only allowed between instant vectors';
    }
    return undefined;
  }
  if (isSetOperator(op) && result.card !== 'many-to-many') return `no grouping allowed for '${op}' operation`;
  return result;
}
