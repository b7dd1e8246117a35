/**
 * Inhibition, as in Alertmanager: while a firing alert matches a rule's source matchers, alerts
 * matching its target matchers with the same values of the `equal` labels are muted. An alert
 * that matches both sides never inhibits itself.
 */
import type { Labels } from '../model/labels.js';
import { makeMatcher, matchesAll, parseMatcher, type Matcher } from '../model/matcher.js';
import { isResolved, type Alert } from './alert.js';

/** An inhibition rule as written in the config (Alertmanager's field names). */
export interface InhibitRuleConfig {
  readonly source_matchers?: readonly string[];
  readonly target_matchers?: readonly string[];
  readonly source_match?: Readonly<Record<string, string>>;
  readonly source_match_re?: Readonly<Record<string, string>>;
  readonly target_match?: Readonly<Record<string, string>>;
  readonly target_match_re?: Readonly<Record<string, string>>;
  readonly equal?: readonly string[];
}

interface InhibitRule {
  readonly source: readonly Matcher[];
  readonly target: readonly Matcher[];
  readonly equal: readonly string[];
}

/** Decides which alerts are muted by other alerts. */
export class Inhibitor {
  readonly #rules: InhibitRule[];

  /** Compiles the rules, collecting problems into `errors`. */
  constructor(configs: readonly InhibitRuleConfig[], errors: string[]) {
    this.#rules = configs.map((config, i) => {
      const path = `inhibit_rules[${i}]`;
      const source = compileSide(config.source_matchers, config.source_match, config.source_match_re, `${path}.source`, errors);
      const target = compileSide(config.target_matchers, config.target_match, config.target_match_re, `${path}.target`, errors);
      if (source.length === 0) errors.push(`${path}: needs source matchers, or it would inhibit on every alert`);
      if (target.length === 0) errors.push(`${path}: needs target matchers, or it would mute every alert`);
      return { source, target, equal: config.equal ?? [] };
    });
  }

  /**
   * The fingerprint of an alert inhibiting one with `labels`, or undefined. `alerts` are the
   * alerts the dispatcher holds now.
   */
  inhibitedBy(labels: Labels, alerts: Iterable<Alert>, now: number): string | undefined {
    for (const rule of this.#rules) {
      if (!matchesAll(rule.target, labels)) continue;
      const selfMatchesSource = matchesAll(rule.source, labels);
      for (const alert of alerts) {
        if (isResolved(alert, now) || !matchesAll(rule.source, alert.labels)) continue;
        if (!rule.equal.every((name) => (alert.labels[name] ?? '') === (labels[name] ?? ''))) continue;
        if (selfMatchesSource && matchesAll(rule.target, alert.labels)) continue;
        return alert.fingerprint;
      }
    }
    return undefined;
  }
}

function compileSide(
  matchers: readonly string[] | undefined,
  match: Readonly<Record<string, string>> | undefined,
  matchRe: Readonly<Record<string, string>> | undefined,
  path: string,
  errors: string[],
): Matcher[] {
  const out: Matcher[] = [];
  const add = (make: () => Matcher, where: string): void => {
    try {
      out.push(make());
    } catch (error) {
      errors.push(`${where}: ${(error as Error).message}`);
    }
  };
  (matchers ?? []).forEach((text, i) => add(() => parseMatcher(text), `${path}_matchers[${i}]`));
  for (const [name, value] of Object.entries(match ?? {})) add(() => makeMatcher(name, '=', value), `${path}_match.${name}`);
  for (const [name, value] of Object.entries(matchRe ?? {})) add(() => makeMatcher(name, '=~', value), `${path}_match_re.${name}`);
  return out;
}
