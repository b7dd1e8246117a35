/**
 * Push and clone credentials. git sends HTTP Basic auth; the token is the password (any user
 * name), or the user name when the password is empty (`https://TOKEN@host/...`). A request
 * without a valid token gets 401 with `WWW-Authenticate`, which makes git ask for credentials;
 * a valid token without the scope for the site gets 403.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { TokenScope } from '../../../core/config/types.js';
import type { TokenRegistry } from '../../../core/services/tokens.js';

/** The realm git shows when it asks for credentials. */
export const AUTH_REALM = 'hearth';

/** The token of a request's Basic credentials, or undefined. */
export function basicAuthToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return decoded || undefined;
  const password = decoded.slice(colon + 1);
  return password || decoded.slice(0, colon) || undefined;
}

/**
 * Checks that the request may use one of `scopes` on `site`. Throws HEARTH_ERR_GIT_UNAUTHORIZED
 * (after setting `WWW-Authenticate` on the reply) or HEARTH_ERR_GIT_FORBIDDEN.
 */
export function requireScope(tokens: TokenRegistry, request: FastifyRequest, reply: FastifyReply, site: string, scopes: readonly TokenScope[]): void {
  const token = basicAuthToken(request.headers.authorization);
  let forbidden = false;
  for (const scope of scopes) {
    const verdict = tokens.authorize(token, site, scope);
    if (verdict.ok) return;
    if (verdict.reason === 'forbidden') forbidden = true;
  }
  if (forbidden) {
    throw new HearthError('HEARTH_ERR_GIT_FORBIDDEN', `this token may not ${scopes[0] === 'push' ? 'push to' : 'read'} site '${site}'; create one with --site ${site} --scope ${scopes[0]}`);
  }
  void reply.header('www-authenticate', `Basic realm="${AUTH_REALM}"`);
  throw new HearthError('HEARTH_ERR_GIT_UNAUTHORIZED', `site '${site}' needs a token as the password of the git URL (http://git:TOKEN@host/git/${site}.git)`);
}
