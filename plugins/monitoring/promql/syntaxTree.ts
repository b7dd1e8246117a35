/**
 * What the node names of @prometheus-io/lezer-promql's tree mean to Hearth's parser, and small
 * helpers to walk that tree.
 */
import type { SyntaxNode } from '@lezer/common';
import type { BinaryOp } from './ast.js';
import type { MatchOp } from '../model/matcher.js';
import { PromQLError } from './values.js';

/** Aggregations Hearth evaluates. */
export const AGGREGATES = new Set<string>(['sum', 'avg', 'min', 'max', 'count']);
/** Binary operator node names and their operators. */
export const BINARY_OPS: Readonly<Record<string, BinaryOp>> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless',
};
/** Matcher operator node names and their operators. */
export const MATCH_OPS: Readonly<Record<string, MatchOp>> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
/** Node names of PromQL Hearth refuses, in words. */
export const UNSUPPORTED: Readonly<Record<string, string>> = {
  SubqueryExpr: 'a subquery (expr[range:step])',
  StepInvariantExpr: 'the @ modifier',
  AnchoredExpr: 'the anchored modifier',
  SmoothedExpr: 'the smoothed modifier',
};

/** The children of a node, in order. */
export function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

/** The only child of a node; throws when there is not exactly one. */
export function only(node: SyntaxNode, what: string): SyntaxNode {
  const children = kids(node);
  if (children.length !== 1) throw new PromQLError(`expected ${what}`, node.from);
  return children[0]!;
}

/** A value type in words, with its article. */
export function describe(type: string): string {
  return type === 'vector' ? 'an instant vector' : type === 'matrix' ? 'a range vector' : `a ${type}`;
}
