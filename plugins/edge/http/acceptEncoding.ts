/**
 * Content negotiation on `Accept-Encoding`: which of brotli and gzip the client takes (a `q=0`
 * refuses one), and which it prefers when it weighs them differently (`gzip;q=1.0, br;q=0.1`).
 * At equal weight the edge chooses (fileResponder.ts). Browsers send a handful of distinct
 * headers, so answers are remembered in a small table.
 */

/** What the client accepts. */
export interface AcceptedEncodings {
  readonly br: boolean;
  readonly gzip: boolean;
  /** The one of higher weight when both are accepted with different weights; undefined otherwise. */
  readonly preferred: 'br' | 'gzip' | undefined;
}

const NONE: AcceptedEncodings = Object.freeze({ br: false, gzip: false, preferred: undefined });
/** Distinct headers remembered; the table starts over when full. */
const MEMO_ENTRIES = 256;
/** Longer headers are not worth reading (real ones are under 100 characters). */
const MAX_HEADER_LENGTH = 512;
const memo = new Map<string, AcceptedEncodings>();

function weightOf(parameters: readonly string[]): number {
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=');
    if (name?.trim().toLowerCase() === 'q') {
      const q = Number(value?.trim());
      return Number.isFinite(q) ? q : 0;
    }
  }
  return 1;
}

function parse(header: string): AcceptedEncodings {
  let br = -1;
  let gzip = -1;
  let star = -1;
  for (const item of header.split(',')) {
    const [coding = '', ...parameters] = item.split(';');
    const name = coding.trim().toLowerCase();
    const weight = weightOf(parameters);
    if (name === 'br') br = weight;
    else if (name === 'gzip' || name === 'x-gzip') gzip = weight;
    else if (name === '*') star = weight;
  }
  if (br < 0) br = star;
  if (gzip < 0) gzip = star;
  const both = br > 0 && gzip > 0;
  return { br: br > 0, gzip: gzip > 0, preferred: both && br > gzip ? 'br' : both && gzip > br ? 'gzip' : undefined };
}

/** The encodings an `Accept-Encoding` header allows. */
export function acceptedEncodings(header: string | undefined): AcceptedEncodings {
  if (header === undefined || header.length === 0 || header.length > MAX_HEADER_LENGTH) return NONE;
  let accepted = memo.get(header);
  if (accepted === undefined) {
    accepted = parse(header);
    if (memo.size >= MEMO_ENTRIES) memo.clear();
    memo.set(header, accepted);
  }
  return accepted;
}
