/**
 * What the store keeps of a URL, read without `new URL()` (too slow and too strict for every line
 * of a busy log): the host it was for, path and query as requested, the path alone, the file type,
 * and a referrer's host.
 */

/** The parts of a requested URL. */
export interface UrlParts {
  /** Lower-case host without port, when the URL was absolute. */
  readonly host: string | undefined;
  /** Path and query, without scheme and host. */
  readonly url: string;
  /** The path without query or fragment. */
  readonly path: string;
  /** `page` for documents, else the lower-case extension. */
  readonly fileType: string;
}

/** Extensions read as documents (a page view), besides no extension at all. */
const PAGE_EXTENSIONS = new Set(['html', 'htm', 'php', 'asp', 'aspx', 'jsp']);
const EXTENSION = /^[a-z0-9]{1,10}$/;
/** Longest URL scheme looked for (`android-app` is 11). */
export const MAX_SCHEME = 32;
/** Longest referrer host kept (a DNS name is at most 253 characters). */
export const MAX_HOST = 253;

/** Lower-case host of an authority (`user@Host:443` -> `host`). */
function hostOf(authority: string): string {
  const at = authority.lastIndexOf('@');
  let host = at >= 0 ? authority.slice(at + 1) : authority;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1).toLowerCase();
  const colon = host.indexOf(':');
  if (colon >= 0) host = host.slice(0, colon);
  return host.toLowerCase();
}

/** `page` or the extension of a path's last segment. */
export function fileTypeOf(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot <= slash + 1) return 'page';
  const extension = path.slice(dot + 1).toLowerCase();
  if (!EXTENSION.test(extension)) return 'page';
  return PAGE_EXTENSIONS.has(extension) ? 'page' : extension;
}

/** Splits an absolute URL or a path into the parts the store keeps. */
export function urlParts(raw: string): UrlParts {
  let host: string | undefined;
  let rest = raw;
  const scheme = raw.indexOf('://');
  if (scheme > 0 && scheme <= MAX_SCHEME) {
    const pathStart = raw.indexOf('/', scheme + 3);
    const queryStart = raw.indexOf('?', scheme + 3);
    const end = pathStart < 0 ? (queryStart < 0 ? raw.length : queryStart) : queryStart >= 0 && queryStart < pathStart ? queryStart : pathStart;
    host = hostOf(raw.slice(scheme + 3, end));
    rest = raw.slice(end);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  let pathEnd = rest.length;
  for (let index = 0; index < rest.length; index++) {
    const char = rest.charCodeAt(index);
    if (char === 0x3f || char === 0x23) {
      pathEnd = index;
      break;
    }
  }
  const path = rest.slice(0, pathEnd);
  return { host, url: rest, path, fileType: fileTypeOf(path) };
}

/** The lower-case host of a referrer URL; empty for none or one without a host. */
export function referrerHost(referrer: string | undefined): string {
  if (!referrer) return '';
  const scheme = referrer.indexOf('://');
  if (scheme <= 0 || scheme > MAX_SCHEME) return '';
  let end = referrer.length;
  for (let index = scheme + 3; index < referrer.length; index++) {
    const char = referrer.charCodeAt(index);
    if (char === 0x2f || char === 0x3f || char === 0x23) {
      end = index;
      break;
    }
  }
  return hostOf(referrer.slice(scheme + 3, end)).slice(0, MAX_HOST);
}
