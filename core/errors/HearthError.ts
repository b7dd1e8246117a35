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
 * Joins several failures into one error whose message names each of them, in order.
 * Used where Hearth collects failures instead of stopping at the first one.
 */
export function joinErrors(code: ErrorCode, headline: string, errors: readonly unknown[]): HearthError {
  const lines = errors.map((error) => `  - ${describeError(error)}`);
  const joined = new HearthError(code, `${headline}\n${lines.join('\n')}`, { cause: new AggregateError(errors) });
  return joined;
}

/** One line for an error: its message followed by each `cause`'s message. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    if (current instanceof AggregateError && parts.length > 0) break;
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('; caused by ');
}
