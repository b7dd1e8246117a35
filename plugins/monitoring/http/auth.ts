/**
 * Who may use the monitoring API: a token from the host file whose sites include `*` (the API is
 * about the whole fleet), with the `read` scope for GET requests and `admin` for changes. The
 * token is sent as `Authorization: Bearer <token>`, or as the password of Basic auth so a browser
 * can open the status page (it asks for it after the 401).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenScope } from '../../../core/config/types.js';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { TokenRegistry } from '../../../core/services/tokens.js';

/** The site a monitoring token must be granted: every site. */
export const FLEET_SITE = '*';

/** The token presented with a request, if any. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon === -1 ? decoded : decoded.slice(colon + 1);
    return password || (colon === -1 ? undefined : decoded.slice(0, colon)) || undefined;
  }
  return undefined;
}

/** Throws HEARTH_ERR_MONITORING_UNAUTHORIZED unless the request may use `scope`. */
export function authorize(request: FastifyRequest, reply: FastifyReply, tokens: TokenRegistry, scope: TokenScope): void {
  const result = tokens.authorize(presentedToken(request), FLEET_SITE, scope);
  if (result.ok) return;
  if (result.reason === 'unauthenticated') {
    void reply.header('WWW-Authenticate', 'Basic realm="Hearth monitoring", charset="UTF-8"');
    throw new HearthError(
      'HEARTH_ERR_MONITORING_UNAUTHORIZED',
      `the monitoring API needs a token: send Authorization: Bearer <token> (a token with sites ['*'] and the '${scope}' scope; create one with 'hearth token new --site "*" --scope ${scope}')`,
    );
  }
  throw new HearthError(
    'HEARTH_ERR_MONITORING_UNAUTHORIZED',
    `this token may not use the monitoring API for '${scope}': it needs sites ['*'] and the '${scope}' (or admin) scope`,
    { statusCode: 403 },
  );
}
