/**
 * Who may read analytics: a token from the host file, sent as `Authorization: Bearer <token>`,
 * with the `read` (or `admin`) scope on the site asked about. The token is checked twice: once
 * before the request is read at all (unknown token: 401), once the site is known (403).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HearthError } from '../../../core/errors/HearthError.js';
import { bearerToken } from '../../../core/http/bearerToken.js';
import type { TokenGrant, TokenRegistry } from '../../../core/services/tokens.js';

/** The realm named in WWW-Authenticate. */
const REALM = 'hearth-query';

/** The grant of the request's token; throws 401 when there is no token or no hash matches it. */
export function authenticate(request: FastifyRequest, reply: FastifyReply, tokens: TokenRegistry): { token: string; grant: TokenGrant } {
  const token = bearerToken(request);
  const grant = token === undefined ? undefined : tokens.verify(token);
  if (token === undefined || !grant) {
    void reply.header('WWW-Authenticate', `Bearer realm="${REALM}"`);
    throw new HearthError(
      'HEARTH_ERR_HTTP_UNAUTHORIZED',
      token === undefined
        ? "the analytics API needs a token: send 'Authorization: Bearer <token>' with a token that has the 'read' scope (hearth token new --scope read --site SITE)"
        : 'the token matches no hash under tokens in the host file; check it was copied whole, or create one with hearth token new --scope read',
    );
  }
  return { token, grant };
}

/** Throws 403 unless the token may read `site`. */
export function authorizeSite(tokens: TokenRegistry, token: string, site: string): void {
  const result = tokens.authorize(token, site, 'read');
  if (result.ok) return;
  if (result.reason === 'unauthenticated') {
    throw new HearthError('HEARTH_ERR_HTTP_UNAUTHORIZED', 'the token matches no hash under tokens in the host file');
  }
  throw new HearthError('HEARTH_ERR_HTTP_FORBIDDEN', `this token may not read '${site}': it needs the 'read' (or 'admin') scope and the site (or '*') in its sites`);
}

/** The sites of the host file a grant may read, sorted. */
export function readableSites(tokens: TokenRegistry, grant: TokenGrant): string[] {
  const all = [...tokens.sites.keys()];
  return (grant.sites.includes('*') ? all : all.filter((site) => grant.sites.includes(site))).sort();
}
