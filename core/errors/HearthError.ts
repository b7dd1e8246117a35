/**
 * The one error type Hearth throws on purpose. Every instance carries a stable code from the
 * catalogue (see `catalogue.ts` and docs/errors.md), an HTTP status for when it reaches a client,
 * and keeps the error that caused it.
 */
import { lookupError, type ErrorCode } from './catalogue.js';

/** Options accepted by {@link HearthError}. */
export interface HearthErrorOptions {
  /** The underlying error, kept as `cause`. */
  cause?: unknown;
  /** Overrides the catalogue's HTTP status. */
  statusCode?: number;
}

/** An error with a stable `HEARTH_ERR_<AREA>_<WHAT>` code. */
export class HearthError extends Error {
  override readonly name = 'HearthError';
  readonly code: ErrorCode;
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, options: HearthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options.statusCode ?? lookupError(code)?.status ?? 500;
  }
}

/** True when `error` is a {@link HearthError}, optionally with the given code. */
export function isHearthError(error: unknown, code?: ErrorCode): error is HearthError {
  return error instanceof HearthError && (code === undefined || error.code === code);
}

/**
 * Joins several failures into one error whose message names each of them, in order, one line
 * each, ending in the code that says how to fix it ({@link formatError}; `code` for a failure
 * that has none of its own). Used where Hearth collects failures instead of stopping at the first
 * one; the first failure is the one the others followed from.
 */
export function joinErrors(code: ErrorCode, headline: string, errors: readonly unknown[]): HearthError {
  const lines = errors.map((error) => `  - ${formatError(error, code).replaceAll('\n', '\n    ')}`);
  return new HearthError(code, `${headline}\n${lines.join('\n')}`, { cause: new AggregateError(errors) });
}

/** True for an error made by {@link joinErrors}: its message already names each failure. */
function isJoined(error: unknown): error is HearthError {
  return error instanceof HearthError && error.cause instanceof AggregateError;
}

/**
 * The error itself and each `cause` below it, outermost first, up to a joined error (whose
 * message already describes what is below it).
 */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    if (current instanceof AggregateError && chain.length > 0) break;
    chain.push(current);
    if (isJoined(current)) break;
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/**
 * One line for an error: its message followed by each `cause`'s message. A cause whose text the
 * line already holds (a message that quoted its cause) is not repeated.
 */
export function describeError(error: unknown): string {
  let text = '';
  for (const link of causeChain(error)) {
    const message = link instanceof Error ? link.message : String(link);
    if (text === '') text = message;
    else if (message !== '' && !text.includes(message)) text += `; caused by ${message}`;
  }
  return text;
}

/**
 * The HearthError that says what to fix: the innermost one of the cause chain, since an outer one
 * only adds where it happened ("plugin 'backup' failed to set up"). Of joined failures, the first.
 */
export function rootHearthError(error: unknown): HearthError | undefined {
  let found: HearthError | undefined;
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 16; depth++) {
    if (current instanceof AggregateError) {
      current = current.errors[0];
      continue;
    }
    if (current instanceof HearthError) found = current;
    current = current instanceof Error ? current.cause : undefined;
  }
  return found;
}

/**
 * An error as the user reads it: {@link describeError}'s line ending in one code, the innermost
 * HearthError's (`fallback` when there is none). A joined error is its headline and lines, each
 * line ending in its own failure's code.
 */
export function formatError(error: unknown, fallback?: ErrorCode): string {
  const chain = causeChain(error);
  const text = describeError(error);
  if (isJoined(chain.at(-1))) return text;
  const code = rootHearthError(error)?.code ?? fallback;
  return code === undefined ? text : `${text} [${code}]`;
}
