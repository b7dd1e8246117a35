/**
 * Label matchers (`=`, `!=`, `=~`, `!~`) shared by PromQL selectors, routes, inhibition rules and
 * silences. Regular expressions are anchored at both ends, as in Prometheus; the RE2 forms that
 * JavaScript spells differently (`(?i)` prefix, `(?P<name>`) are translated, and anything
 * JavaScript cannot compile is rejected when the matcher is made.
 */
import type { Labels } from './labels.js';

/** The four matcher operators. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One compiled matcher. */
export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  /** True when the matcher would accept a missing label (the empty string). */
  readonly matchesEmpty: boolean;
  matches(value: string): boolean;
}

/** Longest regular expression accepted, to bound compile time and memory. */
const MAX_REGEX_LENGTH = 4096;

/** Compiles an RE2-style pattern into an anchored JavaScript RegExp, or throws a readable Error. */
export function compileAnchoredRegex(pattern: string): RegExp {
  if (pattern.length > MAX_REGEX_LENGTH) throw new Error(`regular expression is longer than ${MAX_REGEX_LENGTH} characters`);
  let flags = '';
  let body = pattern;
  const inline = /^\(\?([ims]+)\)/.exec(body);
  if (inline) {
    // RE2's `m` and `s` map to the same JavaScript flags; `i` too.
    flags = [...new Set(inline[1]!.split(''))].join('');
    body = body.slice(inline[0].length);
  }
  body = body.replaceAll('(?P<', '(?<').replaceAll('\\z', '$').replaceAll('\\A', '^');
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch (error) {
    throw new Error(`'${pattern}' is not a valid regular expression: ${(error as Error).message}`, { cause: error });
  }
}

/** Makes a matcher; throws an Error naming the pattern when a regex does not compile. */
export function makeMatcher(name: string, op: MatchOp, value: string): Matcher {
  let test: (v: string) => boolean;
  if (op === '=') test = (v) => v === value;
  else if (op === '!=') test = (v) => v !== value;
  else {
    const re = compileAnchoredRegex(value);
    const positive = op === '=~';
    const cache = new Map<string, boolean>();
    test = (v) => {
      let hit = cache.get(v);
      if (hit === undefined) {
        hit = re.test(v);
        // A bounded cache: label values repeat across series and evaluations.
        if (cache.size > 10_000) cache.clear();
        cache.set(v, hit);
      }
      return hit === positive;
    };
  }
  return Object.freeze({ name, op, value, matchesEmpty: test(''), matches: test });
}

/** True when every matcher accepts the label set (a missing label reads as ""). */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) if (!m.matches(labels[m.name] ?? '')) return false;
  return true;
}

/** Prints a matcher as Alertmanager does: `name="value"` with OpenMetrics escaping. */
export function formatMatcher(m: Matcher): string {
  const escaped = m.value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
  return `${m.name}${m.op}"${escaped}"`;
}

/** Alertmanager's matcher order: by name, then value, then operator (=, !=, =~, !~). */
export function compareMatchers(a: Matcher, b: Matcher): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return OP_ORDER.indexOf(a.op) - OP_ORDER.indexOf(b.op);
}
const OP_ORDER: readonly MatchOp[] = ['=', '!=', '=~', '!~'];

const MATCHER_TEXT = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/**
 * Parses one matcher written as in Alertmanager configs and amtool: `name="value"`,
 * `name=~"re.*"`, or with an unquoted value (`severity=critical`).
 */
export function parseMatcher(text: string): Matcher {
  const match = MATCHER_TEXT.exec(text);
  if (!match) throw new Error(`'${text}' is not a matcher; write it like name="value", name!="value", name=~"regex" or name!~"regex"`);
  const [, name, op, raw] = match as unknown as [string, string, MatchOp, string];
  let value = raw;
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    value = unquoteDouble(raw.slice(1, -1), text);
  } else if (raw.includes('"')) {
    throw new Error(`'${text}' has an unbalanced quote in its value`);
  }
  return makeMatcher(name, op, value);
}

/** Parses a matcher list: `{a="b", c=~"d"}` or `a="b",c=~"d"` or one matcher. */
export function parseMatcherList(text: string): Matcher[] {
  let inner = text.trim();
  if (inner.startsWith('{') && inner.endsWith('}')) inner = inner.slice(1, -1);
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === '\\' && quoted) {
      current += ch + (inner[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current);
  return parts.map(parseMatcher);
}

function unquoteDouble(body: string, whole: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      if (ch === '"') throw new Error(`'${whole}' has an unescaped quote inside its value`);
      out += ch;
      continue;
    }
    const next = body[++i];
    if (next === 'n') out += '\n';
    else if (next === 't') out += '\t';
    else if (next === '\\' || next === '"') out += next;
    else throw new Error(`'${whole}' has an unknown escape '\\${next ?? ''}'`);
  }
  return out;
}
