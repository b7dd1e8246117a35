/**
 * Error codes of the analytics store (area `analytics`), documented in docs/errors.md.
 */
import { defineErrors } from '../../errors/catalogue.js';

/** The analytics store's error codes. */
export const analyticsErrors = defineErrors('analytics', {
  HEARTH_ERR_ANALYTICS_CONFIG: {
    status: 500,
    summary: 'The analytics section of the host file cannot be used as written.',
  },
  HEARTH_ERR_ANALYTICS_UNAVAILABLE: {
    status: 503,
    summary: 'The analytics store could not be opened or reached; the caller may retry.',
  },
  HEARTH_ERR_ANALYTICS_REJECTED: {
    status: 500,
    summary: 'The analytics store refused the data of a batch; retrying the same data will not help.',
  },
  HEARTH_ERR_ANALYTICS_SCHEMA: {
    status: 500,
    summary: 'The analytics database has a schema this version of Hearth does not know.',
  },
  HEARTH_ERR_ANALYTICS_QUERY_INVALID: {
    status: 400,
    summary: 'An analytics query names a column, metric or range that is not allowed.',
  },
});
