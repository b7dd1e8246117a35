/**
 * One error shape for every HTTP answer: `{"error":{"code","message"}}` with the right status.
 * Hearth's own errors keep their code; fastify's are mapped to Hearth codes; anything else is a
 * 500 whose details go to the log, not to the client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isHearthError } from '../errors/HearthError.js';
import { isErrorCode, type ErrorCode } from '../errors/catalogue.js';
import '../host/errors.js';

/** The body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'HEARTH_ERR_HTTP_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'HEARTH_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'HEARTH_ERR_HTTP_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'HEARTH_ERR_HTTP_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'HEARTH_ERR_HTTP_BAD_REQUEST',
  FST_ERR_VALIDATION: 'HEARTH_ERR_HTTP_BAD_REQUEST',
};

/** An answer body as a client of a Hearth API reads it. */
export interface ReadAnswer {
  /** The body as JSON; undefined when it is none. */
  readonly parsed: unknown;
  /** When the body is an {@link ErrorBody}: its message, and its code if it has a code's shape. */
  readonly error: { readonly code: ErrorCode | undefined; readonly message: string | undefined } | undefined;
}

/** Reads an answer body (the CLI's side of {@link toErrorResponse}). */
export function readAnswer(text: string): ReadAnswer {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error !== 'object' || error === null) return { parsed, error: undefined };
  return { parsed, error: { code: isErrorCode(error.code) ? error.code : undefined, message: typeof error.message === 'string' ? error.message : undefined } };
}

/** Maps any thrown value to a status and body. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (isHearthError(error)) {
    return { status: error.statusCode, body: { error: { code: error.code, message: error.message } }, internal: error.statusCode >= 500 };
  }
  const fastifyError = error as Partial<FastifyError>;
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped || fastifyError.validation) {
    const status = fastifyError.statusCode ?? 400;
    return { status, body: { error: { code: mapped ?? 'HEARTH_ERR_HTTP_BAD_REQUEST', message: fastifyError.message ?? 'bad request' } }, internal: false };
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    return { status, body: { error: { code: 'HEARTH_ERR_HTTP_BAD_REQUEST', message: fastifyError.message ?? 'bad request' } }, internal: false };
  }
  return { status: 500, body: { error: { code: 'HEARTH_ERR_HTTP_INTERNAL', message: 'internal error; the host log has the details' } }, internal: true };
}

/** fastify's error handler: answers with {@link toErrorResponse} and logs server-side failures. */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body, internal } = toErrorResponse(error);
  if (internal) request.log.error({ err: error, url: request.url }, 'request failed');
  void reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** fastify's not-found handler. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .status(404)
    .type('application/json; charset=utf-8')
    .send({ error: { code: 'HEARTH_ERR_HTTP_NOT_FOUND', message: `no route for ${request.method} ${request.url.split('?')[0]}` } });
}
