/**
 * PromQL literals: strings with Go's escapes (or raw back-quoted), numbers as Go's ParseFloat and
 * Prometheus' lexer read them, and durations.
 */
import { parseDuration } from '../duration.js';

/** Reads a PromQL string literal (with its quotes). Throws an Error on a malformed one. */
export function unquoteString(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote || (quote !== '"' && quote !== "'" && quote !== '`')) {
    throw new Error(`unterminated string ${literal}`);
  }
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    switch (next) {
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': case '"': case "'": out += next; break;
      case 'x': out += hexEscape(body, i + 1, 2, literal); i += 2; break;
      case 'u': out += hexEscape(body, i + 1, 4, literal); i += 4; break;
      case 'U': out += hexEscape(body, i + 1, 8, literal); i += 8; break;
      default:
        if (next !== undefined && /[0-7]/.test(next)) {
          const digits = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(digits)) throw new Error(`invalid octal escape in ${literal}`);
          out += String.fromCodePoint(parseInt(digits, 8));
          i += 2;
        } else throw new Error(`unknown escape sequence '\\${next ?? ''}' in ${literal}`);
    }
  }
  return out;
}

function hexEscape(body: string, start: number, length: number, literal: string): string {
  const digits = body.slice(start, start + length);
  if (digits.length !== length || !/^[0-9a-fA-F]+$/.test(digits)) throw new Error(`invalid escape in ${literal}`);
  const code = parseInt(digits, 16);
  if (code > 0x10ffff) throw new Error(`escape out of range in ${literal}`);
  return String.fromCodePoint(code);
}

/** Reads a number literal (decimal, hex, Inf, NaN, with an optional sign). */
export function parseNumber(text: string): number {
  const trimmed = text.replace(/\s+/g, '');
  const sign = trimmed.startsWith('-') ? -1 : 1;
  const body = trimmed.replace(/^[+-]/, '');
  const lower = body.toLowerCase();
  if (lower === 'inf') return sign * Infinity;
  if (lower === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/i.test(body)) return sign * parseInt(body.slice(2), 16);
  if (/^(\d+(_?\d)*(\.\d+(_?\d)*)?|\.\d+(_?\d)*)([eE][+-]?\d+(_?\d)*)?$/.test(body)) return sign * Number(body.replaceAll('_', ''));
  if (parseDuration(body) !== undefined) throw new Error(`'${text}' is a duration where a number is expected; write the number of seconds`);
  throw new Error(`'${text}' is not a number`);
}

/** Reads a duration inside `[...]` or after `offset`. */
export function parseRangeDuration(text: string): number {
  const ms = parseDuration(text.trim());
  if (ms === undefined || ms <= 0) throw new Error(`'${text}' is not a positive duration like 5m or 1h30m`);
  return ms;
}
