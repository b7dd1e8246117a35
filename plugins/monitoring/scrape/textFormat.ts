/**
 * The Prometheus text exposition format (version 0.0.4, plus the OpenMetrics `# EOF` line and
 * exemplars, which are ignored). Parsing is split in two, as Prometheus' scrape cache does: the
 * hot path only cuts each sample line into its series text and value; the labels of a series text
 * are parsed (and fully validated) only the first time it is seen, by {@link parseSeriesText}.
 */
import { makeLabels, METRIC_NAME, type Labels } from '../model/labels.js';

/** A line that is not valid exposition format; `line` is 1-based. */
export class ExpositionError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
    this.line = line;
  }
}

/** Called once per sample line with the text that names the series (`name{labels}`) and its value. */
export type SampleVisitor = (seriesText: string, value: number, line: number) => void;

const METRIC_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'info', 'stateset', 'gaugehistogram']);
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPE_LINE = /^#\s+TYPE\s+(\S+)\s+(\S+)\s*$/;
const HELP_LINE = /^#\s+HELP\s+(\S+)(?:\s.*)?$/;
const TIMESTAMP = /^-?\d+$/;

/** Parses every line of `body`, calling `visit` per sample. Returns the number of samples. */
export function parseExposition(body: string, visit: SampleVisitor): number {
  let samples = 0;
  let lineNo = 0;
  let pos = 0;
  const length = body.length;
  while (pos < length) {
    lineNo++;
    let end = body.indexOf('\n', pos);
    if (end === -1) end = length;
    let lineEnd = end;
    if (lineEnd > pos && body.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const start = skipBlanks(body, pos, lineEnd);
    if (start < lineEnd) {
      if (body.charCodeAt(start) === 35 /* # */) checkComment(body.slice(start, lineEnd), lineNo);
      else {
        parseSampleLine(body, start, lineEnd, lineNo, visit);
        samples++;
      }
    }
    pos = end + 1;
  }
  return samples;
}

function parseSampleLine(body: string, start: number, end: number, lineNo: number, visit: SampleVisitor): void {
  let i = start;
  while (i < end) {
    const c = body.charCodeAt(i);
    if (c === 32 || c === 9 || c === 123 /* { */) break;
    i++;
  }
  if (i < end && body.charCodeAt(i) === 123) {
    // Nothing after the label set can contain '}' (so the last one closes it) unless an exemplar
    // follows after '#': then the quotes have to be followed.
    let close = body.lastIndexOf('}', end - 1);
    const hash = body.indexOf('#', i);
    if (hash !== -1 && hash < close) close = closingBrace(body, i + 1, end);
    if (close < i) throw new ExpositionError(lineNo, `label set is not closed: '${clip(body.slice(start, end))}'`);
    i = close + 1;
  }
  const seriesText = body.slice(start, i);
  if (seriesText.length === 0) throw new ExpositionError(lineNo, `expected a metric name: '${clip(body.slice(start, end))}'`);
  const valueStart = skipBlanks(body, i, end);
  if (valueStart === i || valueStart >= end) throw new ExpositionError(lineNo, `expected a value after '${clip(seriesText)}'`);
  let valueEnd = valueStart;
  while (valueEnd < end && !isBlank(body.charCodeAt(valueEnd))) valueEnd++;
  const value = parseValue(body.slice(valueStart, valueEnd), lineNo);
  const rest = skipBlanks(body, valueEnd, end);
  if (rest < end && body.charCodeAt(rest) !== 35) {
    let tsEnd = rest;
    while (tsEnd < end && !isBlank(body.charCodeAt(tsEnd))) tsEnd++;
    if (!TIMESTAMP.test(body.slice(rest, tsEnd))) throw new ExpositionError(lineNo, `'${clip(body.slice(rest, tsEnd))}' is not a timestamp`);
    const after = skipBlanks(body, tsEnd, end);
    if (after < end && body.charCodeAt(after) !== 35) throw new ExpositionError(lineNo, `unexpected text after the timestamp: '${clip(body.slice(after, end))}'`);
  }
  visit(seriesText, value, lineNo);
}

/** Parses a sample value as Go's ParseFloat would accept it in the text format. */
export function parseValue(token: string, lineNo: number): number {
  const value = +token;
  if (value === value && token !== '') {
    const first = token.charCodeAt(0);
    // `+token` also accepts `0x1f`, `0b1` and `0o7` (and ' 1'), which the format does not.
    if ((first >= 49 && first <= 57) || first === 43 || first === 45 || first === 46) return value;
    if (first === 48 && (token.length === 1 || !/[a-zA-Z]/.test(token[1]!) || token[1] === 'e' || token[1] === 'E')) return value;
  }
  switch (token.toLowerCase()) {
    case 'nan':
      return NaN;
    case '+inf':
    case 'inf':
    case '+infinity':
    case 'infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
  }
  throw new ExpositionError(lineNo, `'${clip(token)}' is not a number`);
}

/** Parses and validates a series text (`name` or `name{a="b",...}`) into labels with `__name__`. */
export function parseSeriesText(text: string, lineNo: number): Labels {
  const brace = text.indexOf('{');
  const name = brace === -1 ? text : text.slice(0, brace).trimEnd();
  if (!METRIC_NAME_RE.test(name)) throw new ExpositionError(lineNo, `'${clip(name)}' is not a valid metric name`);
  const pairs: [string, string][] = [[METRIC_NAME, name]];
  if (brace !== -1) {
    const seen = new Set<string>();
    let i = brace + 1;
    const end = text.length - 1; // the closing brace
    for (;;) {
      i = skipBlanks(text, i, end);
      if (i >= end) break;
      const nameStart = i;
      while (i < end && !isBlank(text.charCodeAt(i)) && text[i] !== '=') i++;
      const label = text.slice(nameStart, i);
      if (!LABEL_NAME_RE.test(label) || label === METRIC_NAME) throw new ExpositionError(lineNo, `'${clip(label)}' is not a valid label name`);
      if (seen.has(label)) throw new ExpositionError(lineNo, `label '${label}' appears twice`);
      seen.add(label);
      i = skipBlanks(text, i, end);
      if (text[i] !== '=') throw new ExpositionError(lineNo, `expected '=' after label '${label}'`);
      i = skipBlanks(text, i + 1, end);
      if (text[i] !== '"') throw new ExpositionError(lineNo, `the value of label '${label}' must be in double quotes`);
      const [value, next] = readQuoted(text, i + 1, end, lineNo);
      pairs.push([label, value]);
      i = skipBlanks(text, next, end);
      if (i < end && text[i] === ',') i++;
      else if (i < end) throw new ExpositionError(lineNo, `expected ',' or '}' after the value of label '${label}'`);
    }
  }
  return makeLabels(pairs);
}

function readQuoted(text: string, start: number, end: number, lineNo: number): [string, number] {
  let out = '';
  for (let i = start; i < end; i++) {
    const ch = text[i]!;
    if (ch === '"') return [out, i + 1];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[++i];
    if (next === 'n') out += '\n';
    else if (next === '\\' || next === '"') out += next;
    else throw new ExpositionError(lineNo, `unknown escape '\\${next ?? ''}' in a label value`);
  }
  throw new ExpositionError(lineNo, 'a label value is not closed with a double quote');
}

function closingBrace(text: string, from: number, end: number): number {
  let quoted = false;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (quoted && c === 92 /* \ */) i++;
    else if (c === 34 /* " */) quoted = !quoted;
    else if (c === 125 /* } */ && !quoted) return i;
  }
  return -1;
}

function checkComment(line: string, lineNo: number): void {
  if (line.startsWith('# TYPE') || line.startsWith('#\tTYPE')) {
    const m = TYPE_LINE.exec(line);
    if (!m || !METRIC_NAME_RE.test(m[1]!) || !METRIC_TYPES.has(m[2]!)) throw new ExpositionError(lineNo, `malformed TYPE line: '${clip(line)}'`);
  } else if (line.startsWith('# HELP')) {
    const m = HELP_LINE.exec(line);
    if (!m || !METRIC_NAME_RE.test(m[1]!)) throw new ExpositionError(lineNo, `malformed HELP line: '${clip(line)}'`);
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function skipBlanks(text: string, i: number, end: number): number {
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 77)}...` : printable;
}
