/**
 * CORS for the analytics API, so a page on another origin (a site's own stats widget) can call
 * it from a browser. Only origins listed in `plugins.query.cors.origins` get CORS headers; `*`
 * allows any origin (safe here: the API takes a bearer token, never cookies). Preflights need no
 * token, as browsers send none with them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HearthError } from '../../../core/errors/HearthError.js';

/** An origin as browsers send it: scheme, host, optional port; no path. */
const ORIGIN = /^https?:\/\/[^\s/?#]+$/;
const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type';
const EXPOSED_HEADERS = 'Retry-After';

/** Which origins may call the API from a browser. */
export interface CorsPolicy {
  /** Adds the CORS headers an actual request's answer needs (nothing for other origins). */
  decorate(request: FastifyRequest, reply: FastifyReply): void;
  /** Answers a preflight; throws HEARTH_ERR_QUERY_CORS for an origin that is not allowed. */
  preflight(request: FastifyRequest, reply: FastifyReply): void;
}

/** Why a configured origin is not one, or undefined when it is (for the plugin's config check). */
export function originProblem(origin: string): string | undefined {
  if (origin === '*' || ORIGIN.test(origin)) return undefined;
  return `'${origin}' is not an origin; write scheme://host[:port] without a path (https://stats.example.com), or '*'`;
}

/** Checks the configured origins (throws HEARTH_ERR_QUERY_CONFIG) and builds the policy. */
export function corsPolicy(origins: readonly string[], maxAgeSeconds: number): CorsPolicy {
  for (const origin of origins) {
    const problem = originProblem(origin);
    if (problem) throw new HearthError('HEARTH_ERR_QUERY_CONFIG', `plugins.query.cors.origins: ${problem}`);
  }
  const any = origins.includes('*');
  const listed = new Set(origins.map((origin) => origin.toLowerCase()));
  const allowed = (origin: string | undefined): origin is string => origin !== undefined && (any || listed.has(origin.toLowerCase()));
  const originOf = (request: FastifyRequest): string | undefined => {
    const origin = request.headers.origin;
    return typeof origin === 'string' ? origin : undefined;
  };
  return {
    decorate(request, reply) {
      const origin = originOf(request);
      void reply.header('Vary', 'Origin');
      if (!allowed(origin)) return;
      void reply.header('Access-Control-Allow-Origin', any ? '*' : origin);
      void reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    },
    preflight(request, reply) {
      const origin = originOf(request);
      void reply.header('Vary', 'Origin');
      if (!allowed(origin)) {
        throw new HearthError('HEARTH_ERR_QUERY_CORS', `origin ${JSON.stringify(origin ?? '')} may not call the analytics API from a browser; add it to plugins.query.cors.origins`);
      }
      void reply
        .header('Access-Control-Allow-Origin', any ? '*' : origin)
        .header('Access-Control-Allow-Methods', ALLOWED_METHODS)
        .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
        .header('Access-Control-Max-Age', String(maxAgeSeconds))
        .status(204)
        .send();
    },
  };
}
