/**
 * A parser for the subset of Go's text/template that alert annotations and notification messages
 * use: text, `{{ pipeline }}`, `if`/`else if`/`else`, `range` (with `$i, $x :=`), `with`, variables
 * (`$x := ...`), pipes, function calls, field chains (`.Labels.job`, `$labels.job`) and comments,
 * with `{{-`/`-}}` trimming. Anything else is a {@link TemplateError} at compile time.
 */

/** A template that does not parse (or fails while rendering). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** One argument of a command. */
export type Operand =
  | { readonly kind: 'field'; readonly path: readonly string[] }
  | { readonly kind: 'var'; readonly name: string; readonly path: readonly string[] }
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'ident'; readonly name: string }
  | { readonly kind: 'pipeline'; readonly pipeline: Pipeline };

/** `a b c | f d` — commands joined by pipes, optionally declaring variables. */
export interface Pipeline {
  readonly declare: readonly string[];
  readonly commands: readonly (readonly Operand[])[];
}

/** A node of the template tree. */
export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly pipeline: Pipeline }
  | { readonly kind: 'if' | 'with'; readonly pipeline: Pipeline; readonly body: TemplateNode[]; readonly otherwise: TemplateNode[] }
  | { readonly kind: 'range'; readonly pipeline: Pipeline; readonly body: TemplateNode[]; readonly otherwise: TemplateNode[] };

/** Longest template accepted. */
const MAX_TEMPLATE_LENGTH = 65_536;
const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(:=|=)|(\|)|(\()|(\))|(,)|(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|(\.(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)?)|([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+))|([A-Za-z_][A-Za-z0-9_]*))/y;

/** Parses template text into a tree. */
export function parseTemplate(text: string): TemplateNode[] {
  if (text.length > MAX_TEMPLATE_LENGTH) throw new TemplateError(`template is longer than ${MAX_TEMPLATE_LENGTH} characters`);
  const pieces = splitActions(text);
  let index = 0;
  const parseList = (terminators: readonly string[]): [TemplateNode[], string] => {
    const nodes: TemplateNode[] = [];
    while (index < pieces.length) {
      const piece = pieces[index++]!;
      if (piece.kind === 'text') {
        if (piece.text) nodes.push({ kind: 'text', text: piece.text });
        continue;
      }
      const body = piece.text.trim();
      if (body.startsWith('/*')) continue;
      const keyword = /^(if|else|end|range|with|define|template|block)\b/.exec(body)?.[1];
      if (keyword === 'end' || keyword === 'else') {
        if (!terminators.includes(keyword)) throw new TemplateError(`unexpected {{${body}}}`);
        return [nodes, body];
      }
      if (keyword === 'define' || keyword === 'template' || keyword === 'block') throw new TemplateError(`{{${keyword}}} is not supported`);
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        nodes.push(parseBlock(keyword, body.slice(keyword.length)));
        continue;
      }
      nodes.push({ kind: 'action', pipeline: parsePipeline(body) });
    }
    if (terminators.length > 0) throw new TemplateError('missing {{end}}');
    return [nodes, ''];
  };
  const parseBlock = (keyword: 'if' | 'with' | 'range', rest: string): TemplateNode => {
    const pipeline = parsePipeline(rest.trim());
    const [body, end] = parseList(['end', 'else']);
    let otherwise: TemplateNode[] = [];
    if (end.startsWith('else')) {
      const elseRest = end.slice(4).trim();
      if (elseRest.startsWith('if') && keyword === 'if') otherwise = [parseBlock('if', elseRest.slice(2))];
      else if (elseRest) throw new TemplateError(`unexpected {{${end}}}`);
      else [otherwise] = parseList(['end']);
    }
    return { kind: keyword, pipeline, body, otherwise };
  };
  const [nodes] = parseList([]);
  return nodes;
}

function splitActions(text: string): { kind: 'text' | 'action'; text: string }[] {
  const out: { kind: 'text' | 'action'; text: string }[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos <= text.length) {
    const open = text.indexOf('{{', pos);
    let chunk = open === -1 ? text.slice(pos) : text.slice(pos, open);
    if (trimNext) chunk = chunk.replace(/^\s+/, '');
    if (open === -1) {
      out.push({ kind: 'text', text: chunk });
      break;
    }
    const trimBefore = text.startsWith('{{- ', open) || text.startsWith('{{-\t', open) || text.startsWith('{{-\n', open);
    if (trimBefore) chunk = chunk.replace(/\s+$/, '');
    out.push({ kind: 'text', text: chunk });
    const close = findClose(text, open + 2);
    if (close === -1) throw new TemplateError(`unclosed action starting at character ${open + 1}`);
    const trimAfter = /\s-$/.test(text.slice(open + 2, close));
    const inner = text.slice(open + (trimBefore ? 3 : 2), trimAfter ? close - 1 : close);
    out.push({ kind: 'action', text: inner });
    trimNext = trimAfter;
    pos = close + 2;
  }
  return out;
}

function findClose(text: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === '`') quote = ch;
    else if (ch === '}' && text[i + 1] === '}') return i;
  }
  return -1;
}

/** Parses the inside of an action into a pipeline. */
export function parsePipeline(source: string): Pipeline {
  const tokens = tokenize(source);
  let i = 0;
  const declare: string[] = [];
  const assign = tokens.findIndex((t) => t.kind === 'assign');
  if (assign !== -1) {
    for (const t of tokens.slice(0, assign)) {
      if (t.kind === 'var' && !t.text.includes('.')) declare.push(t.text.slice(1));
      else if (t.kind !== 'comma') throw new TemplateError(`cannot assign to '${t.text}' in {{${source}}}`);
    }
    i = assign + 1;
  }
  const parse = (nested: boolean): Pipeline['commands'] => {
    const commands: Operand[][] = [[]];
    while (i < tokens.length) {
      const t = tokens[i++]!;
      if (t.kind === 'rparen') {
        if (!nested) throw new TemplateError(`unexpected ')' in {{${source}}}`);
        return finish(commands);
      }
      if (t.kind === 'pipe') commands.push([]);
      else if (t.kind === 'lparen') commands[commands.length - 1]!.push({ kind: 'pipeline', pipeline: { declare: [], commands: parse(true) } });
      else commands[commands.length - 1]!.push(operand(t, source));
    }
    if (nested) throw new TemplateError(`missing ')' in {{${source}}}`);
    return finish(commands);
  };
  const finish = (commands: Operand[][]): Operand[][] => {
    if (commands.some((c) => c.length === 0)) throw new TemplateError(`empty command in {{${source}}}`);
    return commands;
  };
  return { declare, commands: parse(false) };
}

interface Token {
  readonly kind: 'string' | 'raw' | 'assign' | 'pipe' | 'lparen' | 'rparen' | 'comma' | 'var' | 'field' | 'number' | 'ident';
  readonly text: string;
}

const KINDS: Token['kind'][] = ['string', 'raw', 'assign', 'pipe', 'lparen', 'rparen', 'comma', 'var', 'field', 'number', 'ident'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) throw new TemplateError(`cannot read '${source.slice(start).trim()}' in {{${source}}}`);
    const group = m.findIndex((g, n) => n > 0 && g !== undefined);
    tokens.push({ kind: KINDS[group - 1]!, text: m[group]! });
  }
  return tokens;
}

function operand(t: Token, source: string): Operand {
  switch (t.kind) {
    case 'string':
      return { kind: 'literal', value: JSON.parse(t.text.replace(/\\'/g, "'")) as string };
    case 'raw':
      return { kind: 'literal', value: t.text.slice(1, -1) };
    case 'number':
      return { kind: 'literal', value: Number(t.text) };
    case 'field':
      return { kind: 'field', path: t.text === '.' ? [] : t.text.slice(1).split('.') };
    case 'var': {
      const [name, ...path] = t.text.slice(1).split('.');
      return { kind: 'var', name: name!, path };
    }
    case 'ident':
      if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
      if (t.text === 'nil') return { kind: 'literal', value: undefined };
      return { kind: 'ident', name: t.text };
  }
  throw new TemplateError(`unexpected '${t.text}' in {{${source}}}`);
}
