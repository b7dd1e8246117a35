/**
 * Validates rule groups in Prometheus' rule-file shape, from a YAML file (with line numbers) or
 * from the plugin config. Every problem is collected, each naming its group, rule and line, so
 * one load reports all of them.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { parseDuration } from '../duration.js';
import { parsePromQL, PromQLError } from '../promql/parse.js';
import { typeOf } from '../promql/ast.js';
import { Template, TemplateError } from '../template/template.js';
import type { AlertingRuleSpec, RuleGroupSpec, RuleSpec } from './ruleSpec.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const GROUP_KEYS = new Set(['name', 'interval', 'rules', 'limit']);
const RULE_KEYS = new Set(['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);

/** Finds the line of a value; undefined for config-given rules. */
type LineOf = (path: readonly (string | number)[]) => number | undefined;

/** The outcome: the valid groups and every problem found. */
export interface RuleLoadResult {
  readonly groups: RuleGroupSpec[];
  readonly errors: string[];
}

/** Validates the text of a rule file. `source` names it in messages. */
export function loadRuleFileText(text: string, source: string): RuleLoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { groups: [], errors: doc.errors.map((e) => `${source}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`) };
  }
  const lineOf: LineOf = (path) => {
    let node: unknown = doc.contents;
    let line: number | undefined;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
        if (!pair) break;
        line = rangeLine(pair.key as YamlNode, lineCounter) ?? line;
        node = pair.value;
      } else if (isSeq(node)) {
        node = node.items[key as number];
        line = rangeLine(node as YamlNode, lineCounter) ?? line;
      } else break;
    }
    return line;
  };
  return validateRuleGroups(doc.toJS() as unknown, source, lineOf);
}

function rangeLine(node: YamlNode | undefined, lineCounter: LineCounter): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/** Validates a parsed `{ groups: [...] }` object (from a file or the config). */
export function validateRuleGroups(value: unknown, source: string, lineOf: LineOf = () => undefined): RuleLoadResult {
  const errors: string[] = [];
  const groups: RuleGroupSpec[] = [];
  const where = (path: (string | number)[], what: string): string => {
    const line = lineOf(path);
    return `${source}${line !== undefined ? `:${line}` : ''}: ${what}`;
  };
  if (value === null || value === undefined) return { groups, errors };
  if (!isRecord(value) || !Array.isArray(value.groups)) {
    return { groups, errors: [where([], "a rule file must be a mapping with a 'groups' list")] };
  }
  for (const key of Object.keys(value)) if (key !== 'groups') errors.push(where([key], `unknown field '${key}' (a rule file has only 'groups')`));
  const groupNames = new Set<string>();
  value.groups.forEach((group: unknown, g: number) => {
    const path = ['groups', g];
    if (!isRecord(group)) return void errors.push(where(path, `group ${g + 1} must be a mapping`));
    const name = typeof group.name === 'string' ? group.name : '';
    const label = `group '${name || `#${g + 1}`}'`;
    for (const key of Object.keys(group)) if (!GROUP_KEYS.has(key)) errors.push(where([...path, key], `${label}: unknown field '${key}'`));
    if (!name) errors.push(where(path, `${label}: a group needs a name`));
    else if (groupNames.has(name)) errors.push(where([...path, 'name'], `${label}: the name is used by another group`));
    groupNames.add(name);
    let intervalMs: number | undefined;
    if (group.interval !== undefined) {
      intervalMs = typeof group.interval === 'string' ? parseDuration(group.interval) : undefined;
      if (!intervalMs) errors.push(where([...path, 'interval'], `${label}: interval '${String(group.interval)}' is not a positive duration`));
    }
    if (!Array.isArray(group.rules)) return void errors.push(where(path, `${label}: 'rules' must be a list`));
    const rules: RuleSpec[] = [];
    group.rules.forEach((rule: unknown, r: number) => {
      const rulePath = [...path, 'rules', r];
      const spec = validateRule(rule, label, r, (p, what) => errors.push(where([...rulePath, ...p], what)), source, lineOf(rulePath));
      if (spec) rules.push(spec);
    });
    groups.push({ name, intervalMs, rules, origin: { source, line: lineOf(path) } });
  });
  return { groups: errors.length > 0 ? [] : groups, errors };
}

function validateRule(
  rule: unknown,
  groupLabel: string,
  index: number,
  fail: (path: (string | number)[], what: string) => void,
  source: string,
  line: number | undefined,
): RuleSpec | undefined {
  if (!isRecord(rule)) return void fail([], `${groupLabel}, rule ${index + 1}: must be a mapping`);
  const isAlert = typeof rule.alert === 'string';
  const name = String(isAlert ? rule.alert : (rule.record ?? ''));
  const label = `${groupLabel}, ${isAlert ? 'alert' : 'record'} '${name || `#${index + 1}`}'`;
  let ok = true;
  const bad = (path: (string | number)[], what: string): void => {
    ok = false;
    fail(path, `${label}: ${what}`);
  };
  for (const key of Object.keys(rule)) if (!RULE_KEYS.has(key)) bad([key], `unknown field '${key}'`);
  if ((rule.alert === undefined) === (rule.record === undefined)) bad([], "a rule needs exactly one of 'alert' and 'record'");
  if (!name) bad([], 'the rule has no name');
  if (!isAlert && name && !METRIC_NAME.test(name)) bad(['record'], `'${name}' is not a valid metric name`);
  if (!isAlert) {
    for (const key of ['for', 'keep_firing_for', 'annotations']) if (rule[key] !== undefined) bad([key], `'${key}' only applies to alerting rules`);
  }
  const exprText = typeof rule.expr === 'string' ? rule.expr : typeof rule.expr === 'number' ? String(rule.expr) : '';
  let expr;
  if (!exprText) bad(['expr'], "'expr' is required");
  else {
    try {
      expr = parsePromQL(exprText);
      const type = typeOf(expr);
      if (type !== 'vector' && type !== 'scalar') bad(['expr'], `the expression must give an instant vector or a scalar, not a ${type}`);
    } catch (error) {
      if (!(error instanceof PromQLError)) throw error;
      bad(['expr'], `expression '${exprText.trim()}': ${error.message}`);
    }
  }
  const durationOf = (key: string): number => {
    if (rule[key] === undefined) return 0;
    const ms = typeof rule[key] === 'string' ? parseDuration(rule[key]) : undefined;
    if (ms === undefined) bad([key], `${key} '${String(rule[key])}' is not a duration like 5m`);
    return ms ?? 0;
  };
  const forMs = durationOf('for');
  const keepFiringForMs = durationOf('keep_firing_for');
  const labels = stringMap(rule.labels, 'labels', bad, true);
  const annotations = stringMap(rule.annotations, 'annotations', bad, false);
  const compile = (entries: Map<string, string>, field: string): Map<string, Template> => {
    const out = new Map<string, Template>();
    for (const [key, text] of entries) {
      try {
        out.set(key, new Template(text));
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        bad([field, key], `template of ${field}.${key}: ${error.message}`);
      }
    }
    return out;
  };
  if (isAlert) {
    const spec: AlertingRuleSpec = {
      kind: 'alert', name, exprText, expr: expr!, forMs, keepFiringForMs,
      labels: compile(labels, 'labels'), annotations: compile(annotations, 'annotations'), origin: { source, line },
    };
    return ok ? spec : undefined;
  }
  return ok ? { kind: 'record', name, exprText, expr: expr!, labels, origin: { source, line } } : undefined;
}

function stringMap(value: unknown, field: string, bad: (path: (string | number)[], what: string) => void, isLabels: boolean): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined || value === null) return out;
  if (!isRecord(value)) {
    bad([field], `'${field}' must be a mapping`);
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    if (isLabels && (!LABEL_NAME.test(key) || key === '__name__')) bad([field, key], `'${key}' is not a valid label name`);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') bad([field, key], `${field}.${key} must be a string`);
    else out.set(key, String(v));
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
