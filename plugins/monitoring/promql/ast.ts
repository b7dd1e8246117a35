/**
 * The PromQL syntax tree Hearth evaluates: the subset that alert rules use. The parser builds it
 * from the tree of @prometheus-io/lezer-promql and checks types, so evaluation never meets a shape
 * it does not know.
 */
import type { Matcher } from '../model/matcher.js';

/** The types a PromQL expression can have. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Aggregation operators Hearth evaluates. */
export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count';

/** Arithmetic operators. */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
/** Comparison operators. */
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
/** Set operators (between instant vectors only). */
export type SetOp = 'and' | 'or' | 'unless';
/** Every binary operator. */
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

/** How two instant vectors are matched in a binary operation. */
export interface VectorMatching {
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** True for `on(...)`, false for `ignoring(...)` (or no clause). */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** Labels copied from the "one" side by `group_left(...)` / `group_right(...)`. */
  readonly include: readonly string[];
}

/** A number literal. */
export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: number;
}

/** A string literal (only valid as a function argument; none of Hearth's functions take one). */
export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
}

/** `name{matchers} offset d` */
export interface VectorSelector {
  readonly kind: 'vectorSelector';
  readonly matchers: readonly Matcher[];
  readonly offsetMs: number;
}

/** `selector[range]` */
export interface MatrixSelector {
  readonly kind: 'matrixSelector';
  readonly selector: VectorSelector;
  readonly rangeMs: number;
}

/** `f(args...)` */
export interface Call {
  readonly kind: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
}

/** `sum by (a) (expr)` */
export interface Aggregate {
  readonly kind: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly grouping: readonly string[];
  readonly without: boolean;
}

/** `lhs op bool on(a) group_left(b) rhs` */
export interface Binary {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  /** Present when both sides are instant vectors. */
  readonly matching: VectorMatching | undefined;
}

/** `-expr` */
export interface Unary {
  readonly kind: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
}

/** Any expression. */
export type Expr = NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | Call | Aggregate | Binary | Unary;

/** The type an expression evaluates to. */
export function typeOf(expr: Expr): ValueType {
  switch (expr.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vectorSelector':
    case 'aggregate':
      return 'vector';
    case 'matrixSelector':
      return 'matrix';
    case 'call':
      return FUNCTION_SIGNATURES[expr.func]!.returns;
    case 'unary':
      return typeOf(expr.expr);
    case 'binary':
      return typeOf(expr.lhs) === 'scalar' && typeOf(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
  }
}

/** A function's argument types and result type. */
export interface FunctionSignature {
  readonly args: readonly ValueType[];
  readonly returns: ValueType;
}

/** The functions Hearth evaluates; the parser rejects any other with a clear message. */
export const FUNCTION_SIGNATURES: Readonly<Record<string, FunctionSignature>> = Object.freeze({
  rate: { args: ['matrix'], returns: 'vector' },
  increase: { args: ['matrix'], returns: 'vector' },
  irate: { args: ['matrix'], returns: 'vector' },
  delta: { args: ['matrix'], returns: 'vector' },
  idelta: { args: ['matrix'], returns: 'vector' },
  avg_over_time: { args: ['matrix'], returns: 'vector' },
  min_over_time: { args: ['matrix'], returns: 'vector' },
  max_over_time: { args: ['matrix'], returns: 'vector' },
  sum_over_time: { args: ['matrix'], returns: 'vector' },
  count_over_time: { args: ['matrix'], returns: 'vector' },
  last_over_time: { args: ['matrix'], returns: 'vector' },
  absent: { args: ['vector'], returns: 'vector' },
  absent_over_time: { args: ['matrix'], returns: 'vector' },
  time: { args: [], returns: 'scalar' },
  vector: { args: ['scalar'], returns: 'vector' },
  scalar: { args: ['vector'], returns: 'scalar' },
  abs: { args: ['vector'], returns: 'vector' },
  ceil: { args: ['vector'], returns: 'vector' },
  floor: { args: ['vector'], returns: 'vector' },
  clamp_min: { args: ['vector', 'scalar'], returns: 'vector' },
  clamp_max: { args: ['vector', 'scalar'], returns: 'vector' },
});

/** Applies an offset to the rightmost selector of an expression; undefined when there is none. */
export function applyOffset(expr: Expr, ms: number): Expr | undefined {
  switch (expr.kind) {
    case 'vectorSelector':
      return expr.offsetMs === 0 ? { ...expr, offsetMs: ms } : undefined;
    case 'matrixSelector':
      return expr.selector.offsetMs === 0 ? { ...expr, selector: { ...expr.selector, offsetMs: ms } } : undefined;
    case 'binary': {
      const rhs = applyOffset(expr.rhs, ms);
      return rhs && { ...expr, rhs };
    }
    case 'unary': {
      const inner = applyOffset(expr.expr, ms);
      return inner && { ...expr, expr: inner };
    }
    default:
      return undefined;
  }
}
