/**
 * One release of a site, ready to serve: its manifest's files in a Map, what each is sent with
 * (ETag, type, Cache-Control, compressed siblings) worked out once, and how a request path maps to
 * a file — `index.html` for directories, clean URLs, redirects to the canonical directory form.
 * A path is only ever a key of this map, so nothing outside the release can be named.
 */
import type { ReleaseFile, ReleaseManifest } from '../../../core/services/releases/releaseLayout.js';
import { encodePathForLocation, encodeQueryForLocation } from '../http/requestTarget.js';
import type { CachePolicy } from './cachePolicy.js';
import { isCompressible } from './compression.js';

/** A file of a release and the path it has there. */
export interface FileAt {
  readonly path: string;
  readonly file: ReleaseFile;
  /** Its contents' key in the content cache (`<site>/<blob>`). */
  readonly cacheKey: string;
}

/**
 * The header list of a file's plain 200 — the form node:http turns into a header block with the
 * least work — ending with this response's X-Request-Id and Content-Length. One list per file,
 * filled in per response: `writeHead` reads it at once and keeps nothing of it.
 */
export class IdentityHeaders {
  readonly #list: string[];
  #length = -1;

  constructor(fixed: readonly string[]) {
    this.#list = [...fixed, 'X-Request-Id', '', 'Content-Length', ''];
  }

  /** The list for one response (valid until the next call). */
  for(requestId: string, bodyLength: number): string[] {
    const list = this.#list;
    list[list.length - 3] = requestId;
    if (bodyLength !== this.#length) {
      list[list.length - 1] = String(bodyLength);
      this.#length = bodyLength;
    }
    return list;
  }
}

function cacheKeyOf(site: string, file: ReleaseFile): string {
  return `${site}/${file.blob}`;
}

/** What a response's body is encoded with. */
export type Encoding = 'identity' | 'br' | 'gzip';

/** One representation of a file: where its bytes come from and the ETag that names them. */
export interface Representation {
  readonly encoding: Encoding;
  /** The stored file whose bytes are sent (the file itself or a deployed sibling); undefined when the file is compressed on the fly. */
  readonly source: FileAt | undefined;
  /**
   * From the bytes sent, strong: `"<blob>"` for the file, `"<sibling's blob>-br"` (`-gz`) for a
   * deployed sibling, so a corrected sibling gets a new ETag. Weak for compression on the fly,
   * `W/"<blob>-br"` (`-gz`), as nginx weakens the ETag of what it compresses: the content is the
   * file's, but the bytes depend on the compression level.
   */
  readonly etag: string;
}

/** A file with everything its responses need. */
export interface PreparedFile extends FileAt {
  readonly contentType: string;
  readonly cacheControl: string;
  /** The file as stored. */
  readonly identity: Representation;
  /**
   * Brotli and gzip: a deployed `<path>.br` / `<path>.gz`, else compression on the fly for a type
   * worth it between compression.minBytes and maxBytes; absent when neither.
   */
  readonly br?: Representation;
  readonly gzip?: Representation;
  /** True when the response depends on Accept-Encoding. */
  readonly vary: boolean;
  /**
   * Every header of the file's full 200 response as it is stored (the site's own headers, type,
   * caching, validators), with the response's id and length.
   */
  readonly identityHeaders: IdentityHeaders;
}

/** Where a request path leads in a release. */
export type Resolution =
  | { readonly kind: 'file'; readonly file: PreparedFile }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'missing' };

/** How a site maps paths to files. */
export interface PathRules {
  readonly cleanUrls: boolean;
  readonly notFoundPage: string;
  readonly policy: CachePolicy;
  /** compression.minBytes: smaller files are not worth compressing. */
  readonly compressMinBytes: number;
  /** compression.maxBytes: larger files are not compressed on the fly. */
  readonly compressMaxBytes: number;
  /** The headers every response of the site carries (securityHeaders.ts). */
  readonly siteHeaders: Readonly<Record<string, string>>;
}

/** The resolution of a path no file answers. */
export const MISSING: Resolution = Object.freeze({ kind: 'missing' });
const HEADER_VALUE = /^[\x20-\x7e]{1,200}$/;
const FALLBACK_TYPE = 'application/octet-stream';

/** A release, prepared for serving. */
export class ServedRelease {
  readonly id: string;
  readonly site: string;
  /**
   * Every file's Last-Modified: when the release became live on this edge's reading (see
   * liveReleases.ts), so it only moves forward as releases replace each other — a rollback
   * included. ETags are what decide freshness; this is for clients that only send dates.
   */
  readonly lastModifiedMs: number;
  readonly lastModified: string;
  /** The manifest, for reading file contents. */
  readonly manifest: ReleaseManifest;
  readonly #files: ReadonlyMap<string, ReleaseFile>;
  readonly #prepared = new Map<string, PreparedFile>();
  readonly #rules: PathRules;

  constructor(manifest: ReleaseManifest, rules: PathRules, lastModifiedMs: number) {
    this.manifest = manifest;
    this.id = manifest.id;
    this.site = manifest.site;
    this.lastModifiedMs = lastModifiedMs;
    this.lastModified = new Date(lastModifiedMs).toUTCString();
    this.#files = new Map(Object.entries(manifest.files));
    this.#rules = rules;
  }

  /** The file at an exact relative path, prepared. */
  file(path: string): PreparedFile | undefined {
    const prepared = this.#prepared.get(path);
    if (prepared !== undefined) return prepared;
    const file = this.#files.get(path);
    if (file === undefined) return undefined;
    const contentType = HEADER_VALUE.test(file.contentType) ? file.contentType : FALLBACK_TYPE;
    const at: FileAt = { path, file, cacheKey: cacheKeyOf(this.site, file) };
    const identity: Representation = { encoding: 'identity', source: at, etag: `"${file.blob}"` };
    const compressible = isCompressible(contentType) && file.size >= this.#rules.compressMinBytes && file.size <= this.#rules.compressMaxBytes;
    const br = this.#encoded(file, `${path}.br`, 'br', compressible);
    const gzip = this.#encoded(file, `${path}.gz`, 'gzip', compressible);
    const cacheControl = this.#rules.policy.valueFor(path, file.cacheControl, contentType);
    const vary = br !== undefined || gzip !== undefined;
    const identityHeaders = Object.entries(this.#rules.siteHeaders).flat();
    identityHeaders.push('Content-Type', contentType, 'Cache-Control', cacheControl);
    if (vary) identityHeaders.push('Vary', 'Accept-Encoding');
    identityHeaders.push('ETag', identity.etag, 'Last-Modified', this.lastModified, 'Accept-Ranges', 'bytes');
    const made: PreparedFile = {
      ...at,
      contentType,
      cacheControl,
      identity,
      ...(br ? { br } : {}),
      ...(gzip ? { gzip } : {}),
      vary,
      identityHeaders: new IdentityHeaders(identityHeaders),
    };
    this.#prepared.set(path, made);
    return made;
  }

  /** Where a request for `path` (decoded, relative; `directory` when it ended in `/`) leads. */
  resolve(path: string, directory: boolean, query: string): Resolution {
    if (directory) {
      const index = this.file(`${path}index.html`);
      if (index !== undefined) return { kind: 'file', file: index };
      // `/about/` when only about.html exists: the canonical form is without the slash.
      if (this.#rules.cleanUrls && path !== '' && this.#files.has(`${path.slice(0, -1)}.html`)) return this.#redirect(path.slice(0, -1), query);
      return MISSING;
    }
    const exact = this.file(path);
    if (exact !== undefined) return { kind: 'file', file: exact };
    if (!this.#rules.cleanUrls) return MISSING;
    const page = this.file(`${path}.html`);
    if (page !== undefined) return { kind: 'file', file: page };
    // A directory asked for without its slash: relative links in its index need the slash.
    if (this.#files.has(`${path}/index.html`)) return this.#redirect(`${path}/`, query);
    return MISSING;
  }

  /** The site's 404 page in this release, if it has one. */
  notFoundPage(): PreparedFile | undefined {
    return this.file(this.#rules.notFoundPage);
  }

  /** The `encoding` representation of `file`: its deployed sibling at `path`, else compressed on the fly when `compressible`. */
  #encoded(file: ReleaseFile, path: string, encoding: 'br' | 'gzip', compressible: boolean): Representation | undefined {
    const suffix = encoding === 'br' ? '-br' : '-gz';
    const sibling = this.#files.get(path);
    if (sibling !== undefined) return { encoding, source: { path, file: sibling, cacheKey: cacheKeyOf(this.site, sibling) }, etag: `"${sibling.blob}${suffix}"` };
    return compressible ? { encoding, source: undefined, etag: `W/"${file.blob}${suffix}"` } : undefined;
  }

  #redirect(path: string, query: string): Resolution {
    const search = query.length > 0 ? `?${encodeQueryForLocation(query)}` : '';
    return { kind: 'redirect', location: encodePathForLocation(path) + search };
  }
}
