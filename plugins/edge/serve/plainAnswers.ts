/**
 * The edge's own answers, as opposed to a file's: a short text body per status, the site's headers
 * (security defaults and configured ones) and nothing of any file — no ETag, Last-Modified or the
 * file's Cache-Control — and `Cache-Control: no-store`, so no cache keeps an error as the page.
 */

/** The body of each plain answer. */
export const PLAIN_BODIES = {
  400: 'Bad request\n',
  404: 'Not found\n',
  405: 'Method not allowed\n',
  412: 'Precondition failed\n',
  413: 'Request bodies are not accepted\n',
  414: 'URI too long\n',
  416: 'Range not satisfiable\n',
  503: 'Service unavailable\n',
} as const;

/** A status the edge answers with a plain text of its own. */
export type PlainStatus = keyof typeof PLAIN_BODIES;

/** The headers of a plain answer besides the site's: type, caching, and what the status requires. */
export function plainHeaders(status: PlainStatus): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
  if (status === 405) headers.Allow = 'GET, HEAD';
  if (status === 413 || status === 400 || status === 414) headers.Connection = 'close';
  return headers;
}
