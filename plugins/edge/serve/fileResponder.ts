/**
 * Sends one file of one release: first the representation the response carries — a byte range is
 * always of the file as stored; a whole response is what Accept-Encoding allows (a deployed
 * `.br`/`.gz` sibling, else compression on the fly for text, else the file as is) — then the
 * conditionals against that representation's ETag (412/304), a single byte range (206/416),
 * HEAD, and the body from memory when the file is small or from a storage stream when it is not.
 * Every byte comes from the release the exchange resolved.
 * When the body is ready at once (a memory hit) the response is written synchronously; otherwise
 * a promise is returned, which rejects before any header is written if storage fails — so the
 * caller may still retry the whole request on a newer release.
 */
import { pipeline } from 'node:stream';
import type { Storage } from '../../../core/services/storage/storage.js';
import { openFile } from '../../../core/services/releases/releaseReader.js';
import { acceptedEncodings } from '../http/acceptEncoding.js';
import { evaluatePreconditions, hasPreconditions, ifRangeHolds } from '../http/conditionalRequest.js';
import { decideRange, type RangeDecision } from '../http/rangeRequest.js';
import { compress, type CompressionLevels } from './compression.js';
import type { ContentCache } from './contentCache.js';
import type { Exchange } from './exchange.js';
import type { FileAt, PreparedFile, Representation, ServedRelease } from './servedRelease.js';

/** What the responder draws on. */
export interface FileResponderParts {
  readonly storage: Storage;
  readonly cache: ContentCache;
  /** Files up to this size are read whole and kept in memory. */
  readonly cacheMaxFileBytes: number;
  readonly levels: CompressionLevels;
}

const FULL: RangeDecision = Object.freeze({ kind: 'full' });

/** Answers exchanges with files. */
export class FileResponder {
  readonly #parts: FileResponderParts;

  constructor(parts: FileResponderParts) {
    this.#parts = parts;
  }

  /** Sends `prepared` from `release` with `status` (200, or 404 for the site's 404 page). */
  respond(exchange: Exchange, release: ServedRelease, prepared: PreparedFile, status: 200 | 404): Promise<void> | undefined {
    const { headers: asked } = exchange.req;
    const { file } = prepared;
    let range = status === 200 && asked.range !== undefined ? decideRange(asked.range, file.size) : FULL;
    const chosen = range.kind === 'full' && prepared.vary ? select(prepared, asked['accept-encoding']) : prepared.identity;
    // Conditionals are only evaluated when the request carries them: the common 200 reads no more.
    if (status === 200 && hasPreconditions(asked)) {
      const outcome = evaluatePreconditions(asked, chosen.etag, release);
      if (outcome === 'failed') {
        // Like a 416: an error, which must not reach a cache with the file's caching or validators.
        exchange.sendPlain(412);
        return undefined;
      }
      if (outcome === 'not-modified') {
        exchange.send(304, this.#headers(exchange, release, prepared, chosen, status), undefined, 'HIT');
        return undefined;
      }
    }
    if (range.kind !== 'full') {
      const ifRange = asked['if-range'];
      if (ifRange !== undefined && (typeof ifRange !== 'string' || !ifRangeHolds(ifRange, chosen.etag, release))) range = FULL;
    }
    if (range.kind === 'unsatisfiable') {
      // An error, not the file: nothing of the file's caching or validators, so no cache stores it as the file.
      exchange.sendPlain(416, { 'Content-Range': `bytes */${file.size}` });
      return undefined;
    }
    const source = chosen.source;
    if (source === undefined) return this.#compressed(exchange, release, prepared, chosen, status);
    // The common case: the whole file as stored, from memory, with its prepared header list.
    if (status === 200 && chosen === prepared.identity && range.kind === 'full' && !exchange.head && file.size <= this.#parts.cacheMaxFileBytes) {
      const cached = this.#parts.cache.get(prepared.cacheKey);
      if (cached !== undefined) {
        exchange.site.meters.hit();
        exchange.sendIdentity(prepared.identityHeaders, cached);
        return undefined;
      }
    }
    const headers = this.#headers(exchange, release, prepared, chosen, status);
    if (chosen.encoding !== 'identity') headers['Content-Encoding'] = chosen.encoding;
    const partial = range.kind === 'partial' ? range : undefined;
    const length = partial ? partial.end - partial.start + 1 : source.file.size;
    headers['Content-Length'] = length;
    if (partial) headers['Content-Range'] = `bytes ${partial.start}-${partial.end}/${file.size}`;
    const sent = partial ? 206 : status;
    if (exchange.head) {
      exchange.send(sent, headers, undefined, 'NONE');
      return undefined;
    }
    if (source.file.size <= this.#parts.cacheMaxFileBytes) {
      const cached = this.#parts.cache.get(source.cacheKey);
      if (cached !== undefined) {
        exchange.site.meters.hit();
        exchange.send(sent, headers, partial ? cached.subarray(partial.start, partial.end + 1) : cached, 'HIT');
        return undefined;
      }
      return this.#loadWhole(release, source).then(({ content, hit }) => {
        if (hit) exchange.site.meters.hit();
        else exchange.site.meters.miss();
        exchange.send(sent, headers, partial ? content.subarray(partial.start, partial.end + 1) : content, hit ? 'HIT' : 'MISS');
      });
    }
    return this.#stream(exchange, release, source, sent, headers, partial);
  }

  /** The headers of a response of `prepared` that is not its plain 200 (see `identityHeaders`). */
  #headers(exchange: Exchange, release: ServedRelease, prepared: PreparedFile, chosen: Representation, status: 200 | 404): Record<string, string | number> {
    const headers: Record<string, string | number> = { ...exchange.site.headers, 'Content-Type': prepared.contentType, 'Cache-Control': status === 200 ? prepared.cacheControl : 'no-cache' };
    if (prepared.vary) headers.Vary = 'Accept-Encoding';
    if (status === 200) {
      headers.ETag = chosen.etag;
      headers['Last-Modified'] = release.lastModified;
      headers['Accept-Ranges'] = 'bytes';
    }
    return headers;
  }

  /** A file's whole contents from the cache, or read from storage (and cached when small enough). */
  #loadWhole(release: ServedRelease, source: FileAt): Promise<{ content: Buffer; hit: boolean }> {
    return this.#parts.cache.getOrLoad(source.cacheKey, () => readWhole(this.#parts.storage, release, source), (content) => content.length <= this.#parts.cacheMaxFileBytes);
  }

  async #compressed(exchange: Exchange, release: ServedRelease, prepared: PreparedFile, chosen: Representation, status: 200 | 404): Promise<void> {
    const encoding = chosen.encoding === 'br' ? 'br' : 'gzip';
    const key = `${prepared.cacheKey}:${encoding}`;
    const { content, hit } = await this.#parts.cache.getOrLoad(key, async () => {
      const identity = await this.#loadWhole(release, prepared);
      return compress(identity.content, encoding, this.#parts.levels);
    });
    if (hit) exchange.site.meters.hit();
    else exchange.site.meters.miss();
    const headers = this.#headers(exchange, release, prepared, chosen, status);
    headers['Content-Encoding'] = encoding;
    headers['Content-Length'] = content.length;
    exchange.send(status, headers, content, hit ? 'HIT' : 'MISS');
  }

  async #stream(exchange: Exchange, release: ServedRelease, source: FileAt, status: number, headers: Record<string, string | number>, partial: { start: number; end: number } | undefined): Promise<void> {
    const opened = await openFile(this.#parts.storage, release.manifest, source.path, partial ? { range: partial } : {});
    if (opened === undefined) throw new Error(`${source.path} vanished from release ${release.id}`);
    exchange.site.meters.miss();
    const { res } = exchange;
    headers['X-Request-Id'] = exchange.requestId;
    res.writeHead(status, headers);
    let bytes = 0;
    opened.body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    const expected = Number(headers['Content-Length']);
    pipeline(opened.body, res, () => {
      // A failure after the headers cannot change the status: the client sees a short body, the log
      // its length. A short read (storage holding less than the manifest says) must not leave a
      // keep-alive connection waiting for bytes that never come.
      if (bytes !== expected) res.socket?.destroy();
      exchange.done(status, bytes, 'MISS');
    });
  }
}

/** Reads a file of a release whole. */
async function readWhole(storage: Storage, release: ServedRelease, source: FileAt): Promise<Buffer> {
  if (source.file.size === 0) return Buffer.alloc(0);
  const opened = await openFile(storage, release.manifest, source.path);
  if (opened === undefined) throw new Error(`${source.path} vanished from release ${release.id}`);
  const chunks: Buffer[] = [];
  for await (const chunk of opened.body) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * The representation of a whole response that Accept-Encoding allows: the encoding the client
 * weighs higher when it weighs them differently; at equal weight a deployed sibling first
 * (compressed once, as hard as the deploy chose), brotli before gzip, then compression on the
 * fly; else the file as stored.
 */
function select(prepared: PreparedFile, header: string | undefined): Representation {
  const accepted = acceptedEncodings(header);
  const br = accepted.br ? prepared.br : undefined;
  const gzip = accepted.gzip ? prepared.gzip : undefined;
  if (accepted.preferred === 'gzip' && gzip !== undefined) return gzip;
  if (accepted.preferred === 'br' && br !== undefined) return br;
  if (br?.source !== undefined) return br;
  if (gzip?.source !== undefined) return gzip;
  return br ?? gzip ?? prepared.identity;
}
