/**
 * Error codes of the query plugin (area `query`), documented in docs/errors.md. Authentication
 * failures use the core's HEARTH_ERR_HTTP_UNAUTHORIZED / HEARTH_ERR_HTTP_FORBIDDEN.
 */
import { defineErrors } from '../../core/errors/catalogue.js';

/** The query plugin's error codes. */
export const queryErrors = defineErrors('query', {
  HEARTH_ERR_QUERY_BAD_REQUEST: {
    status: 400,
    summary: 'A field of an analytics request is missing, unknown, of the wrong kind or too large; the message names it.',
  },
  HEARTH_ERR_QUERY_RANGE: {
    status: 400,
    summary: 'The date range is malformed, reversed, longer than allowed, or has too many time buckets.',
  },
  HEARTH_ERR_QUERY_TIMEZONE: {
    status: 400,
    summary: 'The timezone is not an IANA time zone name.',
  },
  HEARTH_ERR_QUERY_SITE_UNKNOWN: {
    status: 404,
    summary: 'The site is not under `sites` in the host file.',
  },
  HEARTH_ERR_QUERY_RATE_LIMITED: {
    status: 429,
    summary: 'The token sent more requests than its rate limit allows; the answer carries Retry-After.',
  },
  HEARTH_ERR_QUERY_CORS: {
    status: 403,
    summary: 'A browser preflight came from an origin that is not in the allowed origins.',
  },
  HEARTH_ERR_QUERY_CONFIG: {
    status: 500,
    summary: 'The query plugin settings cannot be used as written.',
  },
});
