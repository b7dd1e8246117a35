/**
 * Error codes of the edge plugin (area `edge`), documented in docs/errors.md.
 */
import { defineErrors } from '../../core/errors/catalogue.js';

/** The edge plugin's error codes. */
export const edgeErrors = defineErrors('edge', {
  HEARTH_ERR_EDGE_CONFIG: {
    status: 500,
    summary: 'The edge settings cannot be used as written (a trusted proxy CIDR, a header, a cache rule).',
  },
  HEARTH_ERR_EDGE_TLS: {
    status: 500,
    summary: 'The TLS certificate or key file could not be read, or they do not make a usable pair.',
  },
  HEARTH_ERR_EDGE_LISTEN: {
    status: 500,
    summary: 'The edge could not bind its address and port.',
  },
  HEARTH_ERR_EDGE_RELEASE: {
    status: 503,
    summary: "A site's live release could not be read from storage; the edge answers 503 until it can.",
  },
});
