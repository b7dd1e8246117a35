/**
 * Error codes of the intake plugin (area `intake`), documented in docs/errors.md.
 */
import { defineErrors } from '../../core/errors/catalogue.js';

/** The intake plugin's error codes. */
export const intakeErrors = defineErrors('intake', {
  HEARTH_ERR_INTAKE_CONFIG: {
    status: 500,
    summary: 'The intake settings cannot be used as written (a CIDR, a listener, a site).',
  },
  HEARTH_ERR_INTAKE_LISTEN: {
    status: 500,
    summary: 'A UDP or TCP listener could not bind its address and port.',
  },
  HEARTH_ERR_INTAKE_UNAUTHENTICATED: {
    status: 401,
    summary: 'An HTTP upload came without a valid token.',
  },
  HEARTH_ERR_INTAKE_FORBIDDEN: {
    status: 403,
    summary: 'An HTTP upload came with a token that may ingest into no site, or holds lines for a site its token may not ingest into.',
  },
  HEARTH_ERR_INTAKE_BAD_REQUEST: {
    status: 400,
    summary: 'An HTTP upload named an unknown format or site, or its body starts like a JSON array and is none.',
  },
  HEARTH_ERR_INTAKE_ENCODING: {
    status: 415,
    summary: 'An HTTP upload came in a Content-Encoding other than gzip, deflate or br.',
  },
  HEARTH_ERR_INTAKE_BACKPRESSURE: {
    status: 503,
    summary: 'The spool is full because the analytics store has been unreachable; the sender should retry later.',
  },
  HEARTH_ERR_INTAKE_SPOOL: {
    status: 503,
    summary: 'Accepted lines could not be written to the spool on disk.',
  },
});
