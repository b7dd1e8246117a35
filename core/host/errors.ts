/** Error codes of the host process: plugin lifecycle and the HTTP server. */
import { defineErrors } from '../errors/catalogue.js';

export const hostErrors = defineErrors('host', {
  HEARTH_ERR_HOST_DEPENDENCIES: { status: 500, summary: 'plugins need services no plugin on the host provides, or need each other in a circle' },
  HEARTH_ERR_HOST_START: { status: 500, summary: 'the host could not start; every failing plugin is named' },
  HEARTH_ERR_HOST_LISTEN: { status: 500, summary: 'the HTTP server could not listen on its address and port' },
  HEARTH_ERR_HOST_NOT_READY: { status: 503, summary: 'a request reached a plugin before the host finished starting or after it began stopping' },
  HEARTH_ERR_HOST_STOP: { status: 500, summary: 'some plugins failed while stopping; the others were still stopped' },
  HEARTH_ERR_HOST_SHUTDOWN_TIMEOUT: { status: 500, summary: 'a graceful shutdown took longer than http.shutdownTimeoutMs' },
  HEARTH_ERR_PLUGIN_SETUP: { status: 500, summary: 'a plugin failed while setting up (provisioning)' },
  HEARTH_ERR_PLUGIN_VALIDATE: { status: 500, summary: 'a plugin rejected the host as configured, before anything started' },
  HEARTH_ERR_PLUGIN_START: { status: 500, summary: 'a plugin failed to start' },
  HEARTH_ERR_PLUGIN_SERVICE: { status: 500, summary: 'a plugin provided a service it did not declare, or not one it declared' },
});

export const httpErrors = defineErrors('http', {
  HEARTH_ERR_HTTP_NOT_FOUND: { status: 404, summary: 'no route matches the request' },
  HEARTH_ERR_HTTP_BAD_REQUEST: { status: 400, summary: 'the request is malformed or fails validation' },
  HEARTH_ERR_HTTP_UNAUTHORIZED: { status: 401, summary: 'the request needs a token and has none, or an unknown one' },
  HEARTH_ERR_HTTP_FORBIDDEN: { status: 403, summary: 'the token is valid but lacks the scope or site' },
  HEARTH_ERR_HTTP_BODY_TOO_LARGE: { status: 413, summary: 'the request body is larger than the limit' },
  HEARTH_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'the request body has a content type the route does not take' },
  HEARTH_ERR_HTTP_INTERNAL: { status: 500, summary: 'an unexpected error; the log has the details' },
});
