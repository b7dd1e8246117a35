/**
 * The token of an `Authorization: Bearer <token>` header, as the plugins' HTTP APIs take it.
 */
import type { FastifyRequest } from 'fastify';

/** The bearer token of a request, if it sends one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}
