/**
 * The 400 answers of the analytics API: a message that starts with the field's path
 * (`filters[2].value: ...`) and quotes the offending value, shortened so a hostile request is
 * never echoed back at length.
 */
import { HearthError } from '../../../core/errors/HearthError.js';

/** Characters of a bad value quoted in a message. */
const QUOTE_CHARS = 60;

/** A 400 naming `field`. */
export function badField(field: string, message: string): HearthError {
  return new HearthError('HEARTH_ERR_QUERY_BAD_REQUEST', `${field}: ${message}`);
}

/** A short, JSON-quoted rendering of a value for a message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > QUOTE_CHARS ? `${value.slice(0, QUOTE_CHARS)}…` : value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = String(value);
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
}
