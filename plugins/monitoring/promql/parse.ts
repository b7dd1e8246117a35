/**
 * Turns PromQL text into Hearth's syntax tree. The grammar is Prometheus' own, through
 * @prometheus-io/lezer-promql; this file walks its tree, rejects what Hearth does not evaluate
 * (naming it), and checks types the way Prometheus' parser does.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { makeMatcher, type Matcher } from '../model/matcher.js';
import { METRIC_NAME } from '../model/labels.js';
import { applyOffset, FUNCTION_SIGNATURES, typeOf, type AggregateOp, type Expr, type VectorMatching, type VectorSelector } from './ast.js';
import { parseNumber, parseRangeDuration, unquoteString } from './literals.js';
import { checkBinary } from './typeCheck.js';
import { PromQLError } from './values.js';
import { AGGREGATES, BINARY_OPS, describe, kids, MATCH_OPS, only, UNSUPPORTED } from './syntaxTree.js';

export { PromQLError } from './values.js';

/** Longest expression accepted. */
const MAX_EXPRESSION_LENGTH = 16_384;

/** Parses and type-checks an expression. Throws {@link PromQLError}. */
export function parsePromQL(text: string): Expr {
  if (text.trim() === '') throw new PromQLError('the expression is empty', 0);
  if (text.length > MAX_EXPRESSION_LENGTH) throw new PromQLError(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, 0);
  const tree = parser.parse(text);
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) {
      const near = text.slice(cursor.from, cursor.from + 20) || 'the end of the expression';
      throw new PromQLError(`syntax error at character ${cursor.from + 1}, near '${near}'`, cursor.from);
    }
  } while (cursor.next());
  const top = tree.topNode.firstChild;
  if (!top) throw new PromQLError('the expression is empty', 0);
  return new Converter(text).expr(top);
}

class Converter {
  constructor(private readonly text: string) {}

  expr(node: SyntaxNode): Expr {
    switch (node.name) {
      case 'ParenExpr':
        return this.expr(only(node, 'an expression in parentheses'));
      case 'NumberDurationLiteral':
        return { kind: 'number', value: this.wrap(node, () => parseNumber(this.src(node))) };
      case 'StringLiteral':
        return { kind: 'string', value: this.wrap(node, () => unquoteString(this.src(node))) };
      case 'VectorSelector':
        return this.vectorSelector(node, 0);
      case 'MatrixSelector':
        return this.matrixSelector(node, 0);
      case 'OffsetExpr':
        return this.offset(node);
      case 'FunctionCall':
        return this.call(node);
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'BinaryExpr':
        return this.binary(node);
      case 'UnaryExpr':
        return this.unary(node);
    }
    const what = UNSUPPORTED[node.name] ?? `'${node.name}'`;
    throw this.error(node, `${what} is not supported by Hearth's evaluator: '${this.src(node)}'`);
  }

  vectorSelector(node: SyntaxNode, offsetMs: number): VectorSelector {
    const matchers: Matcher[] = [];
    for (const child of kids(node)) {
      if (child.name === 'Identifier') matchers.push(makeMatcher(METRIC_NAME, '=', this.src(child)));
      else if (child.name === 'LabelMatchers') {
        for (const m of kids(child)) matchers.push(this.labelMatcher(m));
      }
    }
    if (matchers.every((m) => m.matchesEmpty)) {
      throw this.error(node, `vector selector '${this.src(node)}' must contain at least one matcher that does not match the empty string`);
    }
    return { kind: 'vectorSelector', matchers, offsetMs };
  }

  labelMatcher(node: SyntaxNode): Matcher {
    const parts = kids(node);
    if (node.name === 'QuotedLabelName') {
      return makeMatcher(METRIC_NAME, '=', this.wrap(node, () => unquoteString(this.src(node))));
    }
    const [nameNode, opNode, valueNode] = parts;
    if (!nameNode || !opNode || !valueNode) throw this.error(node, `incomplete label matcher '${this.src(node)}'`);
    const name = nameNode.name === 'QuotedLabelName' ? this.wrap(nameNode, () => unquoteString(this.src(nameNode))) : this.src(nameNode);
    const op = MATCH_OPS[opNode.firstChild?.name ?? ''];
    if (!op) throw this.error(opNode, `unknown matcher operator '${this.src(opNode)}'`);
    const value = this.wrap(valueNode, () => unquoteString(this.src(valueNode)));
    return this.wrap(node, () => makeMatcher(name, op, value));
  }

  matrixSelector(node: SyntaxNode, offsetMs: number): Expr {
    const [inner, range] = kids(node);
    if (!inner || inner.name !== 'VectorSelector') {
      throw this.error(node, `ranges only apply to vector selectors (write name{...}[5m]): '${this.src(node)}'`);
    }
    const rangeText = this.src(range!);
    return { kind: 'matrixSelector', selector: this.vectorSelector(inner, offsetMs), rangeMs: this.wrap(range!, () => parseRangeDuration(rangeText)) };
  }

  offset(node: SyntaxNode): Expr {
    const [inner, , durationNode] = kids(node);
    const durationText = this.src(durationNode!).replace(/\s+/g, '');
    const negative = durationText.startsWith('-');
    const magnitude = durationText.replace(/^[+-]/, '');
    const ms = (negative ? -1 : 1) * (magnitude === '0' ? 0 : this.wrap(durationNode!, () => parseRangeDuration(magnitude)));
    if (inner?.name === 'VectorSelector') return this.vectorSelector(inner, ms);
    if (inner?.name === 'MatrixSelector') return this.matrixSelector(inner, ms);
    // The grammar attaches `offset` to a whole binary or unary expression (`a unless b offset 5m`);
    // PromQL attaches it to the selector just before it, the rightmost operand.
    if (inner?.name === 'BinaryExpr' || inner?.name === 'UnaryExpr') {
      const applied = applyOffset(this.expr(inner), ms);
      if (applied) return applied;
    }
    throw this.error(node, `offset must follow a vector or range selector: '${this.src(node)}'`);
  }

  call(node: SyntaxNode): Expr {
    const [ident, body] = kids(node);
    const func = this.src(ident!);
    const signature = FUNCTION_SIGNATURES[func];
    if (!signature) {
      throw this.error(node, `function '${func}' is not supported by Hearth's evaluator (supported: ${Object.keys(FUNCTION_SIGNATURES).join(', ')})`);
    }
    const args = kids(body!).map((arg) => this.expr(arg));
    if (args.length !== signature.args.length) {
      throw this.error(node, `function '${func}' takes ${signature.args.length} argument(s), got ${args.length}`);
    }
    args.forEach((arg, i) => {
      if (typeOf(arg) !== signature.args[i]) {
        throw this.error(node, `function '${func}' expects ${describe(signature.args[i]!)} as argument ${i + 1}, got ${describe(typeOf(arg))}`);
      }
    });
    return { kind: 'call', func, args };
  }

  aggregate(node: SyntaxNode): Expr {
    let op = '';
    let grouping: string[] = [];
    let without = false;
    let body: SyntaxNode | undefined;
    for (const child of kids(node)) {
      if (child.name === 'AggregateOp') op = this.src(child);
      else if (child.name === 'AggregateModifier') {
        without = child.firstChild?.name === 'Without';
        grouping = this.groupingLabels(child.getChild('GroupingLabels')!);
      } else if (child.name === 'FunctionCallBody') body = child;
    }
    if (!AGGREGATES.has(op)) {
      throw this.error(node, `aggregation '${op}' is not supported by Hearth's evaluator (supported: ${[...AGGREGATES].join(', ')})`);
    }
    const args = kids(body!);
    if (args.length !== 1) throw this.error(node, `'${op}' takes exactly one expression, got ${args.length}`);
    const expr = this.expr(args[0]!);
    if (typeOf(expr) !== 'vector') throw this.error(node, `'${op}' expects an instant vector, got ${describe(typeOf(expr))}`);
    return { kind: 'aggregate', op: op as AggregateOp, expr, grouping, without };
  }

  binary(node: SyntaxNode): Expr {
    const parts = kids(node);
    const lhs = this.expr(parts[0]!);
    const rhs = this.expr(parts[parts.length - 1]!);
    const op = BINARY_OPS[parts[1]!.name];
    if (!op) throw this.error(parts[1]!, `operator '${this.src(parts[1]!)}' is not supported by Hearth's evaluator`);
    let returnBool = false;
    let matching: VectorMatching | undefined;
    for (const part of parts.slice(2, -1)) {
      if (part.name === 'BoolModifier') returnBool = true;
      else if (part.name === 'MatchingModifierClause') matching = this.matching(part);
      else throw this.error(part, `'${this.src(part)}' is not supported by Hearth's evaluator`);
    }
    const problem = checkBinary(op, typeOf(lhs), typeOf(rhs), returnBool, matching);
    if (typeof problem === 'string') throw this.error(node, `${problem}: '${this.src(node)}'`);
    return { kind: 'binary', op, lhs, rhs, returnBool, matching: problem };
  }

  matching(node: SyntaxNode): VectorMatching {
    const parts = kids(node);
    const on = parts[0]!.name === 'On';
    const labels = this.groupingLabels(parts[1]!);
    const group = parts[2]?.name;
    const include = parts[3] ? this.groupingLabels(parts[3]) : [];
    const card = group === 'GroupLeft' ? 'many-to-one' : group === 'GroupRight' ? 'one-to-many' : 'one-to-one';
    return { card, on, labels, include };
  }

  groupingLabels(node: SyntaxNode): string[] {
    return kids(node).map((label) => (label.name === 'QuotedLabelName' ? unquoteString(this.src(label)) : this.src(label)));
  }

  unary(node: SyntaxNode): Expr {
    const [opNode, inner] = kids(node);
    const op = this.src(opNode!) as '-' | '+';
    const expr = this.expr(inner!);
    const type = typeOf(expr);
    if (type !== 'scalar' && type !== 'vector') throw this.error(node, `unary '${op}' only applies to scalars and instant vectors`);
    if (expr.kind === 'number') return { kind: 'number', value: op === '-' ? -expr.value : expr.value };
    return op === '+' ? expr : { kind: 'unary', op, expr };
  }

  src(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  wrap<T>(node: SyntaxNode, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof PromQLError) throw error;
      throw this.error(node, (error as Error).message);
    }
  }

  error(node: SyntaxNode, message: string): PromQLError {
    return new PromQLError(message, node.from);
  }
}
