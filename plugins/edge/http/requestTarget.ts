/**
 * The request target (`GET /a/b.html?x=1`) turned into the relative path a release manifest is
 * looked up by. Hostile targets are refused before any lookup: a target that is not a path, too
 * long, a malformed or overlong percent escape, bytes that are not UTF-8, a NUL or other control
 * character, a backslash, or a `.` / `..` segment (after decoding, so `%2e%2e` and `..%2f` count).
 * What passes is decoded exactly once — `%252e` stays the literal `%2e` — and only ever used as a
 * key of the manifest, so no path can name anything outside the release.
 */

/** A target the edge can look up. */
export interface ParsedTarget {
  readonly ok: true;
  /** Decoded, relative to the site root, no leading slash (`''` for the root). */
  readonly path: string;
  /** True when the target ended in `/` (a directory). */
  readonly directory: boolean;
  /** The query, without `?` (`''` when absent), exactly as sent. */
  readonly query: string;
}

/** A target refused, with the status to answer. */
export interface RefusedTarget {
  readonly ok: false;
  readonly status: 400 | 404 | 414;
  readonly reason: string;
}

/** The outcome of {@link parseRequestTarget}. */
export type TargetResult = ParsedTarget | RefusedTarget;

// Characters that never need decoding or checking: the fast path for ordinary URLs.
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function refuse(status: RefusedTarget['status'], reason: string): RefusedTarget {
  return { ok: false, status, reason };
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** Percent-decodes a raw path once, as UTF-8; undefined when an escape or the bytes are malformed. */
function decodePath(raw: string): string | undefined {
  const bytes = Buffer.allocUnsafe(raw.length);
  let length = 0;
  for (let index = 0; index < raw.length; index++) {
    const code = raw.charCodeAt(index);
    if (code === 0x25) {
      const high = hexValue(raw.charCodeAt(index + 1));
      const low = hexValue(raw.charCodeAt(index + 2));
      if (high < 0 || low < 0) return undefined;
      bytes[length++] = high * 16 + low;
      index += 2;
    } else if (code > 0xff) {
      // The HTTP parser hands over raw bytes as Latin-1; anything wider did not come off the wire.
      return undefined;
    } else {
      bytes[length++] = code;
    }
  }
  try {
    return utf8.decode(bytes.subarray(0, length));
  } catch {
    return undefined;
  }
}

/** True when a decoded path holds a control character, a backslash or a `.`/`..` segment. */
function unsafePath(decoded: string): string | undefined {
  for (let index = 0; index < decoded.length; index++) {
    const code = decoded.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return 'control character';
    if (code === 0x5c) return 'backslash';
  }
  const segments = decoded.split('/');
  for (const segment of segments) {
    if (segment === '.' || segment === '..') return 'dot segment';
  }
  return undefined;
}

/** Reads a request target; see the module comment for what is refused and why. */
export function parseRequestTarget(target: string, maxBytes: number): TargetResult {
  if (target.length > maxBytes) return refuse(414, 'target too long');
  if (target.charCodeAt(0) !== 0x2f) return refuse(400, 'target is not a path');
  const mark = target.indexOf('?');
  const raw = mark < 0 ? target : target.slice(0, mark);
  const query = mark < 0 ? '' : target.slice(mark + 1);
  let decoded: string;
  if (PLAIN_PATH.test(raw)) {
    decoded = raw;
    // Plain paths can still spell a dot segment.
    if (raw.includes('/.') && unsafePath(raw) !== undefined) return refuse(400, 'dot segment');
  } else {
    const result = decodePath(raw);
    if (result === undefined) return refuse(400, 'malformed escape or not UTF-8');
    const problem = unsafePath(result);
    if (problem !== undefined) return refuse(400, problem);
    decoded = result;
  }
  // An empty segment (`//`) names nothing a release holds, and must never reach a redirect.
  if (decoded.includes('//')) return refuse(404, 'empty segment');
  const path = decoded.slice(1);
  return { ok: true, path, directory: path === '' || path.endsWith('/'), query };
}

/** Encodes a relative path for a Location header: one leading slash, every unsafe byte escaped. */
export function encodePathForLocation(path: string): string {
  return `/${path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')}`;
}

/** What a query keeps as it is in a Location header: printable ASCII but `#`, which would end it. */
const PLAIN_QUERY = /^[\x21\x22\x24-\x7e]*$/;

/**
 * Encodes a query (as sent, without `?`) for a Location header: whole — the target's own limit
 * bounds it — with `#` and anything outside printable ASCII percent-encoded (as UTF-8). node's
 * parser refuses other bytes in a target, so `#` is what this meets in practice.
 */
export function encodeQueryForLocation(query: string): string {
  if (PLAIN_QUERY.test(query)) return query;
  return query.replace(/[^\x21\x22\x24-\x7e]/g, (char) => [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}
