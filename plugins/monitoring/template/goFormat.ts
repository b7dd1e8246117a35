/**
 * Go's ways of printing values, so annotations and messages read as they would from Prometheus
 * and Alertmanager: `%v` of a float (shortest digits, exponent from 1e+06), `%.4g`, a small
 * `printf`, `%q` quoting, and the `humanize*` helpers of Prometheus' templates.
 */

/** Go's `%v` / `strconv.FormatFloat(v, 'g', -1, 64)`. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  return layoutG(mantissa, Number(expText), 6);
}

/** Go's `%.{precision}g`. */
export function formatGoG(v: number, precision: number): string {
  if (!Number.isFinite(v)) return formatGoFloat(v);
  if (v === 0) return '0';
  const p = Math.max(1, precision);
  const [mantissa, expText] = roundHalfEven(v, p);
  // Go trims trailing zeros of %g; and the precision bounds when %e is used.
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return layoutG(trimmed, Number(expText), p);
}

/**
 * `v` rounded to `p` significant digits as Go rounds (half to even on the exact binary value);
 * JavaScript's toExponential rounds exact ties away from zero instead.
 */
function roundHalfEven(v: number, p: number): [string, string] {
  const [mantissa, expText] = v.toExponential(p - 1).split('e') as [string, string];
  const digits = mantissa.replace('-', '').replace('.', '');
  if (Number(digits[digits.length - 1]) % 2 === 0 || !isTie(Math.abs(v), BigInt(digits) * 10n - 5n, Number(expText) - p)) return [mantissa, expText];
  const lowered = (BigInt(digits) - 1n).toString().padStart(digits.length, '0');
  const sign = v < 0 ? '-' : '';
  return [`${sign}${lowered[0]}${lowered.length > 1 ? `.${lowered.slice(1)}` : ''}`, expText];
}

/** True when `v` equals `n × 10^k` exactly. */
function isTie(v: number, n: bigint, k: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? fraction : fraction | (1n << 52n);
  const e = (biased === 0 ? 1 : biased) - 1075;
  const lhs = n * 10n ** BigInt(Math.max(k, 0)) * 2n ** BigInt(Math.max(-e, 0));
  const rhs = m * 2n ** BigInt(Math.max(e, 0)) * 10n ** BigInt(Math.max(-k, 0));
  return lhs === rhs;
}

function layoutG(mantissa: string, exp: number, eprec: number): string {
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= eprec) {
    const rest = digits.slice(1);
    const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${rest ? `.${rest}` : ''}e${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}${frac ? `.${frac}` : ''}`;
}

/** Go's `%q` of a string (strconv.Quote). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0x20 || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Prints any template value the way Go's fmt `%v` would. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatGoFloat(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value).sort().map((key) => `${key}:${formatValue((value as Record<string, unknown>)[key])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

/** A small `printf`: verbs %s %v %d %f %e %g %q %x %t %% with flags, width and precision. */
export function goSprintf(format: string, args: readonly unknown[]): string {
  let argIndex = 0;
  return format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (whole, flags: string, width?: string, precision?: string, verb?: string) => {
    if (verb === '%') return '%';
    if (argIndex >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[argIndex++];
    const prec = precision === undefined ? undefined : Number(precision);
    let out: string;
    switch (verb) {
      case 'd':
        out = String(Math.trunc(Number(arg)));
        break;
      case 'f':
      case 'F':
        out = Number(arg).toFixed(prec ?? 6);
        break;
      case 'e':
        out = Number(arg).toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
        break;
      case 'g':
        out = prec === undefined ? formatGoFloat(Number(arg)) : formatGoG(Number(arg), prec);
        break;
      case 'q':
        out = goQuote(formatValue(arg));
        break;
      case 'x':
        out = typeof arg === 'number' ? Math.trunc(arg).toString(16) : Buffer.from(formatValue(arg)).toString('hex');
        break;
      case 't':
        out = arg ? 'true' : 'false';
        break;
      default:
        out = formatValue(arg);
        if (verb === 's' && prec !== undefined) out = out.slice(0, prec);
    }
    if (flags.includes('+') && typeof arg === 'number' && arg >= 0 && verb !== 's') out = `+${out}`;
    const w = width === undefined ? 0 : Number(width);
    if (out.length < w) out = flags.includes('-') ? out.padEnd(w) : out.padStart(w, flags.includes('0') && verb !== 's' ? '0' : ' ');
    return out;
  });
}
