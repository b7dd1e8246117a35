/**
 * Values produced while evaluating PromQL, and the errors parsing and evaluation raise.
 */
import type { Labels } from '../model/labels.js';

/** One element of an instant vector. */
export interface Sample {
  readonly labels: Labels;
  readonly v: number;
}

/** A series' samples over a range, as a range-vector function sees them. */
export interface RangeSeries {
  readonly labels: Labels;
  readonly ts: readonly number[];
  readonly vs: readonly number[];
}

/** The result of an instant evaluation. */
export type InstantValue =
  | { readonly type: 'scalar'; readonly v: number }
  | { readonly type: 'vector'; readonly samples: readonly Sample[] };

/** A failure while evaluating a valid expression (e.g. duplicate series on the "one" side). */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationError';
  }
}

/** A PromQL expression that does not parse or is not supported; `position` is a 0-based offset. */
export class PromQLError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'PromQLError';
    this.position = position;
  }
}
