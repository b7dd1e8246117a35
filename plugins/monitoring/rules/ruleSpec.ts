/**
 * Rules as loaded and checked: Prometheus' rule-file shape (groups -> rules) after validation,
 * with the expression parsed and the templates compiled, and where each came from.
 */
import type { Expr } from '../promql/ast.js';
import type { Template } from '../template/template.js';

/** Where a rule or group was written, for error messages and the rules API. */
export interface RuleOrigin {
  /** A rule file path, `config` for rules inline in the host file, or `default` for Hearth's own. */
  readonly source: string;
  /** 1-based line in a rule file, when known. */
  readonly line?: number;
}

/** An alerting rule (`alert:`). */
export interface AlertingRuleSpec {
  readonly kind: 'alert';
  readonly name: string;
  readonly exprText: string;
  readonly expr: Expr;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: ReadonlyMap<string, Template>;
  readonly annotations: ReadonlyMap<string, Template>;
  readonly origin: RuleOrigin;
}

/** A recording rule (`record:`): its results are stored as a new series. */
export interface RecordingRuleSpec {
  readonly kind: 'record';
  readonly name: string;
  readonly exprText: string;
  readonly expr: Expr;
  readonly labels: ReadonlyMap<string, string>;
  readonly origin: RuleOrigin;
}

/** Either kind of rule. */
export type RuleSpec = AlertingRuleSpec | RecordingRuleSpec;

/** A group of rules evaluated together, in order, every `intervalMs`. */
export interface RuleGroupSpec {
  readonly name: string;
  /** Undefined: the plugin's evaluation interval. */
  readonly intervalMs: number | undefined;
  readonly rules: readonly RuleSpec[];
  readonly origin: RuleOrigin;
}
