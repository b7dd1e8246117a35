/**
 * `POST /intake/v1/logs`: log lines (any supported format, one per line), NDJSON, or a JSON array
 * of records in the body,
 * a token with the `ingest` scope in `Authorization: Bearer …`. `?format=` picks a format (default:
 * the configured one, usually `auto`), `?site=` names the site for lines that carry none. A token
 * without the ingest scope is refused (403) before any byte of the body is read; every site the
 * lines resolve to must be one the token may ingest into, or nothing is taken (403). The
 * answer, 202 with the counts, comes only after the accepted lines are fsynced in the spool, so a
 * 202 is a promise that they will be stored. While the spool is full the answer is 503 with
 * Retry-After: the sender keeps its lines and tries again. A body may come compressed
 * (`Content-Encoding: gzip`, `deflate` or `br`, as log shippers send it); the body limit holds
 * for the decompressed bytes.
 */
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { pipeline as streamPipeline, type Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessRecord } from '../../../core/services/analytics/accessRecord.js';
import { grantHasScope, type TokenGrant, type TokenRegistry } from '../../../core/services/tokens.js';
import { HearthError } from '../../../core/errors/HearthError.js';
import { bearerToken } from '../../../core/http/bearerToken.js';
import type { IntakePipeline } from '../delivery/intakePipeline.js';
import { LOG_FORMATS, type LogFormat } from '../parsers/logFormat.js';
import { isDrop, type DropReason } from '../records/rawAccess.js';

/** Seconds a sender is told to wait when the spool is full. */
const RETRY_AFTER_SECONDS = 5;

/** What the route needs. */
export interface IntakeRouteOptions {
  readonly pipeline: IntakePipeline;
  readonly tokens: TokenRegistry;
  readonly format: LogFormat;
  readonly maxBodyBytes: number;
}

/** The answer to an accepted upload. */
export interface IntakeReply {
  readonly accepted: number;
  readonly dropped: Partial<Record<DropReason, number>>;
}

/** Whether a token may ingest into at least one site. */
function mayIngestSomewhere(grant: TokenGrant): boolean {
  return grant.sites.length > 0 && grantHasScope(grant, 'ingest');
}

function queryText(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Decoders of the request content codings a body may come in. */
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * The body as the parser should read it: as sent, or through its decoder. The decoder reports
 * the bytes received (fastify checks them against Content-Length) and names the coding when the
 * data is not valid in it.
 */
function decodedBody(request: FastifyRequest, payload: NodeJS.ReadableStream): NodeJS.ReadableStream {
  const header = request.headers['content-encoding'];
  const coding = (typeof header === 'string' ? header : '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return payload;
  const decoder = DECODERS[coding]?.();
  if (decoder === undefined) {
    throw new HearthError('HEARTH_ERR_INTAKE_ENCODING', `Content-Encoding '${coding.slice(0, 40)}' is not taken; send the body as it is, or with gzip, deflate or br`);
  }
  const counted = decoder as Transform & { receivedEncodedLength: number };
  counted.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => (counted.receivedEncodedLength += chunk.length));
  // Registered before fastify's own listener, so its 400 answer carries this message.
  decoder.once('error', (error: Error & { code?: string; statusCode?: number }) => {
    if (!error.code?.startsWith('Z_')) return;
    error.message = `the body is not valid ${coding} data (${error.message})`;
    error.statusCode = 400;
  });
  // pipeline, not pipe: a sender that goes away mid-body fails the decoder too, so the parser
  // waiting on it finishes.
  return streamPipeline(payload, decoder, () => undefined);
}

/**
 * The lines of an upload: one per line of the body, or, when the body is a JSON array (as
 * Fluent Bit's `format json` and Vector's JSON batches send records), one per element, in its
 * JSON text (a string element is a line as it is; undefined for one nested too deep to write
 * back). No log line of any format starts with `[`.
 */
function uploadedLines(body: string): Array<string | undefined> {
  const start = body.search(/\S/);
  if (start < 0 || body[start] !== '[') return body.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.slice(start));
  } catch (error) {
    throw new HearthError('HEARTH_ERR_INTAKE_BAD_REQUEST', `the body starts with '[' but is no JSON array (${(error as Error).message}); send one record per line, or a JSON array of records`);
  }
  if (!Array.isArray(parsed)) throw new HearthError('HEARTH_ERR_INTAKE_BAD_REQUEST', "the body starts with '[' but is no JSON array of records");
  return parsed.map((item: unknown) => {
    if (typeof item === 'string') return item;
    try {
      return JSON.stringify(item);
    } catch {
      // Nesting JSON.parse reads but JSON.stringify cannot write back (its stack ends first).
      return undefined;
    }
  });
}

/** Registers the intake's HTTP routes (the host mounts them under `/intake`). */
export function intakeRoutes(options: IntakeRouteOptions): (app: FastifyInstance) => Promise<void> {
  const { pipeline, tokens, maxBodyBytes } = options;
  return async function registerIntakeRoutes(app) {
    // Bodies are lines, whatever the content type says: take them as text, up to our own limit.
    app.removeContentTypeParser(['application/json', 'text/plain']);
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: maxBodyBytes }, (_request, body, done) => done(null, body));

    const route = {
      bodyLimit: maxBodyBytes,
      // Before the body is read: a request whose token may ingest nowhere costs no reading and no
      // decompression. Which sites it may feed is known only from the lines (checked below).
      preParsing: async (request: FastifyRequest, _reply: unknown, payload: NodeJS.ReadableStream) => {
        const token = bearerToken(request);
        const grant = token ? tokens.verify(token) : undefined;
        if (!grant) {
          throw new HearthError('HEARTH_ERR_INTAKE_UNAUTHENTICATED', 'send a token with the ingest scope as "Authorization: Bearer <token>"');
        }
        if (!mayIngestSomewhere(grant)) {
          throw new HearthError('HEARTH_ERR_INTAKE_FORBIDDEN', `token '${grant.name}' has no ingest scope on any site; nothing of this upload was read`);
        }
        return decodedBody(request, payload);
      },
    };
    app.post('/v1/logs', route, async function acceptLogs(request, reply) {
      // Verified before the body was read.
      const token = bearerToken(request)!;
      const formatText = queryText(request, 'format') ?? options.format;
      if (!(LOG_FORMATS as readonly string[]).includes(formatText)) {
        throw new HearthError('HEARTH_ERR_INTAKE_BAD_REQUEST', `format '${formatText}' is unknown; use one of ${LOG_FORMATS.join(', ')}`);
      }
      const site = queryText(request, 'site');
      if (site !== undefined && !tokens.sites.has(site)) {
        throw new HearthError('HEARTH_ERR_INTAKE_BAD_REQUEST', `site '${site}' is not a site of the host file`);
      }
      if (pipeline.saturated) {
        void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        throw new HearthError('HEARTH_ERR_INTAKE_BACKPRESSURE', `the spool is full while the analytics store catches up; retry in ${RETRY_AFTER_SECONDS} s`);
      }
      const source = { listener: 'http' as const, format: formatText as LogFormat, ...(site ? { defaultSite: site } : {}) };
      const body = typeof request.body === 'string' ? request.body : '';
      const records: AccessRecord[] = [];
      const dropped = new Map<DropReason, number>();
      for (const line of uploadedLines(body)) {
        let result: AccessRecord | DropReason;
        if (line === undefined) {
          // An element that cannot be a line: received like the others (prepareLine counts those).
          pipeline.received('http', 1);
          result = 'malformed';
        } else if (line.trim().length === 0) continue;
        else result = pipeline.prepareLine(line, source);
        if (isDrop(result)) dropped.set(result, (dropped.get(result) ?? 0) + 1);
        else records.push(result);
      }
      for (const recordSite of new Set(records.map((record) => record.site))) {
        if (!tokens.authorize(token, recordSite, 'ingest').ok) {
          for (const [reason, count] of dropped) pipeline.drop(reason, count);
          pipeline.drop('forbidden', records.length);
          throw new HearthError('HEARTH_ERR_INTAKE_FORBIDDEN', `the token may not ingest into site '${recordSite}'; nothing of this upload was taken`);
        }
      }
      let accepted = 0;
      const mark = pipeline.mark();
      for (const record of records) {
        if (pipeline.admit(record)) accepted++;
        else dropped.set('duplicate', (dropped.get('duplicate') ?? 0) + 1);
      }
      for (const [reason, count] of dropped) if (reason !== 'duplicate') pipeline.drop(reason, count);
      await pipeline.durable(mark);
      const answer: IntakeReply = { accepted, dropped: Object.fromEntries(dropped) };
      return reply.code(202).send(answer);
    });
  };
}
