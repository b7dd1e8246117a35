/**
 * Compiled templates: parse once (errors surface when the config or rule loads), render many
 * times with bounded output. Missing map keys render as the empty string, as with Go's
 * `missingkey=zero`.
 */
import { formatValue } from './goFormat.js';
import { TEMPLATE_FUNCTIONS, truthy } from './templateFunctions.js';
import { parseTemplate, TemplateError, type Operand, type Pipeline, type TemplateNode } from './templateParser.js';

export { TemplateError } from './templateParser.js';

/** Largest rendered output; longer output is cut, so a runaway range cannot eat memory. */
const MAX_OUTPUT = 256 * 1024;

/** A parsed template, ready to render. */
export class Template {
  readonly source: string;
  readonly #nodes: TemplateNode[];

  /** Parses `source`; throws {@link TemplateError}. */
  constructor(source: string) {
    this.source = source;
    this.#nodes = parseTemplate(source);
    this.#checkFunctions(this.#nodes);
  }

  /** Renders with `data` as dot and `$`, and extra variables (`{ labels: ... }` is `$labels`). */
  render(data: unknown, variables: Readonly<Record<string, unknown>> = {}): string {
    const scope = new Map<string, unknown>(Object.entries(variables));
    scope.set('', data);
    const out: string[] = [];
    let size = 0;
    const emit = (text: string): void => {
      if (size >= MAX_OUTPUT) return;
      out.push(text.slice(0, MAX_OUTPUT - size));
      size += text.length;
    };
    runNodes(this.#nodes, data, scope, emit);
    return out.join('');
  }

  #checkFunctions(nodes: readonly TemplateNode[]): void {
    const checkPipeline = (pipeline: Pipeline): void => {
      for (const command of pipeline.commands) {
        for (const operand of command) {
          if (operand.kind === 'ident' && !TEMPLATE_FUNCTIONS[operand.name]) throw new TemplateError(`function '${operand.name}' is not defined`);
          if (operand.kind === 'pipeline') checkPipeline(operand.pipeline);
        }
      }
    };
    for (const node of nodes) {
      if (node.kind === 'text') continue;
      checkPipeline(node.pipeline);
      if (node.kind !== 'action') {
        this.#checkFunctions(node.body);
        this.#checkFunctions(node.otherwise);
      }
    }
  }
}

function runNodes(nodes: readonly TemplateNode[], dot: unknown, scope: Map<string, unknown>, emit: (text: string) => void): void {
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        emit(node.text);
        break;
      case 'action': {
        const value = runPipeline(node.pipeline, dot, scope);
        if (node.pipeline.declare.length === 0) emit(formatValue(value));
        break;
      }
      case 'if':
      case 'with': {
        const value = runPipeline(node.pipeline, dot, scope);
        if (truthy(value)) runNodes(node.body, node.kind === 'with' ? value : dot, new Map(scope), emit);
        else runNodes(node.otherwise, dot, new Map(scope), emit);
        break;
      }
      case 'range': {
        const value = runPipeline({ declare: [], commands: node.pipeline.commands }, dot, scope);
        const entries: [unknown, unknown][] = Array.isArray(value)
          ? value.map((v, i) => [i, v])
          : value && typeof value === 'object'
            ? Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]])
            : [];
        if (entries.length === 0) runNodes(node.otherwise, dot, new Map(scope), emit);
        for (const [key, element] of entries) {
          const inner = new Map(scope);
          const names = node.pipeline.declare;
          if (names.length === 1) inner.set(names[0]!, element);
          if (names.length === 2) {
            inner.set(names[0]!, key);
            inner.set(names[1]!, element);
          }
          runNodes(node.body, element, inner, emit);
        }
        break;
      }
    }
  }
}

function runPipeline(pipeline: Pipeline, dot: unknown, scope: Map<string, unknown>): unknown {
  let previous: unknown;
  pipeline.commands.forEach((command, i) => {
    previous = runCommand(command, dot, scope, i === 0 ? undefined : { value: previous });
  });
  for (const name of pipeline.declare) scope.set(name, previous);
  return previous;
}

function runCommand(command: readonly Operand[], dot: unknown, scope: Map<string, unknown>, piped: { value: unknown } | undefined): unknown {
  const [head, ...rest] = command;
  if (head!.kind === 'ident') {
    const fn = TEMPLATE_FUNCTIONS[head!.name]!;
    const args = rest.map((operand) => evalOperand(operand, dot, scope));
    if (piped) args.push(piped.value);
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      throw new TemplateError(`error calling ${head!.name}: ${(error as Error).message}`);
    }
  }
  if (rest.length > 0 || piped) throw new TemplateError(`can't give arguments to a non-function value`);
  return evalOperand(head!, dot, scope);
}

function evalOperand(operand: Operand, dot: unknown, scope: Map<string, unknown>): unknown {
  switch (operand.kind) {
    case 'literal':
      return operand.value;
    case 'field':
      return walk(dot, operand.path);
    case 'var':
      if (!scope.has(operand.name)) throw new TemplateError(`undefined variable $${operand.name}`);
      return walk(scope.get(operand.name), operand.path);
    case 'pipeline':
      return runPipeline(operand.pipeline, dot, scope);
    case 'ident':
      return TEMPLATE_FUNCTIONS[operand.name]!();
  }
}

function walk(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const name of path) {
    if (current === undefined || current === null || typeof current !== 'object') return undefined;
    const next = (current as Record<string, unknown>)[name];
    current = typeof next === 'function' ? (next as () => unknown).call(current) : next;
  }
  return current;
}
