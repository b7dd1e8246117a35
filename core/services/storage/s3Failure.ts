/**
 * How the S3 engine reports what the bucket (or the network on the way) answered: each S3 error
 * code or transport failure becomes the storage error a caller can act on, with a hint on how to
 * fix it, and the SDK's error kept as `cause`. The SDK has already retried what was retryable.
 */
import { HearthError } from '../../errors/HearthError.js';
import type { ErrorCode } from '../../errors/catalogue.js';
import { quoteKey } from './storageKey.js';

// S3 error names (the XML `Code`, or the SDK's name for a bodiless HEAD answer) -> code and hint.
const S3_ERRORS: Record<string, readonly [ErrorCode, string]> = {
  NoSuchKey: ['HEARTH_ERR_STORAGE_NOT_FOUND', 'no such object'],
  NotFound: ['HEARTH_ERR_STORAGE_NOT_FOUND', 'no such object'],
  InvalidRange: ['HEARTH_ERR_STORAGE_BAD_RANGE', 'the range starts past the end of the object'],
  NoSuchBucket: ['HEARTH_ERR_STORAGE_BAD_CONFIG', 'the bucket does not exist: create it, or fix storage.s3.bucket'],
  AccessDenied: ['HEARTH_ERR_STORAGE_DENIED', 'grant the access key s3:GetObject, PutObject, DeleteObject and ListBucket on the bucket'],
  InvalidAccessKeyId: ['HEARTH_ERR_STORAGE_DENIED', 'the access key is unknown to the server: check storage.s3.accessKeyId'],
  SignatureDoesNotMatch: ['HEARTH_ERR_STORAGE_DENIED', 'the secret does not match the access key: check storage.s3.secretAccessKey'],
  PermanentRedirect: ['HEARTH_ERR_STORAGE_BAD_CONFIG', 'the bucket is in another region: fix storage.s3.region'],
  AuthorizationHeaderMalformed: ['HEARTH_ERR_STORAGE_BAD_CONFIG', 'the region does not match the bucket: fix storage.s3.region'],
  SlowDown: ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'the server asked to slow down and retries ran out; try again later'],
  ServiceUnavailable: ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'the server is unavailable; try again later'],
  InternalError: ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'the server failed; try again later'],
  RequestTimeout: ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'the request timed out; check the network to the endpoint'],
  TimeoutError: ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'the request timed out; check the network to the endpoint'],
};

// Socket-level failures: the server was never reached or the connection broke.
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/** What the SDK's errors carry that this mapping reads. */
interface SdkErrorShape {
  readonly name?: string;
  readonly Code?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The HTTP status the bucket answered with, or undefined when no answer came. */
export function s3Status(error: unknown): number | undefined {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** True when the error says the object (or, for a bodiless HEAD, the key) does not exist. */
export function isS3NotFound(error: unknown): boolean {
  const shape = error as SdkErrorShape;
  return shape.name === 'NoSuchKey' || shape.name === 'NotFound' || (s3Status(error) === 404 && shape.name !== 'NoSuchBucket');
}

/** Maps an SDK error from `action` on `key` (in `bucket`) to a storage error; keeps it as `cause`. */
export function s3Failure(error: unknown, action: string, bucket: string, key: string): HearthError {
  if (error instanceof HearthError) return error;
  const shape = (error ?? {}) as SdkErrorShape;
  const name = shape.Code ?? shape.name ?? '';
  const status = s3Status(error);
  const [code, hint] = S3_ERRORS[name] ?? fallback(shape, status);
  const answered = status === undefined ? 'no answer' : `HTTP ${status} ${name}`;
  const detail = `${answered}: ${shape.message ?? String(error)}`;
  return new HearthError(code, `${action} ${quoteKey(key)} in bucket '${bucket}' failed (${detail}): ${hint}`, { cause: error });
}

function fallback(shape: SdkErrorShape, status: number | undefined): readonly [ErrorCode, string] {
  if (status === 404) return ['HEARTH_ERR_STORAGE_NOT_FOUND', 'no such object'];
  if (status === 416) return ['HEARTH_ERR_STORAGE_BAD_RANGE', 'the range starts past the end of the object'];
  if (status === 401 || status === 403) return ['HEARTH_ERR_STORAGE_DENIED', 'check the access key, its secret and the bucket policy'];
  if (status !== undefined && status >= 500) return ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'the server failed; try again later'];
  if (status === undefined && (NETWORK_ERRNOS.has(shape.code ?? '') || shape.name === 'TimeoutError')) {
    return ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'the endpoint cannot be reached: check storage.s3.endpoint and the network'];
  }
  return ['HEARTH_ERR_STORAGE_FAILED', 'see the cause'];
}
