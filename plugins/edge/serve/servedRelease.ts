/**
 * One release of a site, ready to serve: its manifest's files in a Map, what each is sent with
 * (ETag, type, Cache-Control, compressed siblings) worked out once, and how a request path maps to
 * a file — `index.html` for directories, clean URLs, redirects to the canonical directory form.
 * A path is only ever a key of this map, so nothing outside the release can be named.
 */
import type { ReleaseFile, ReleaseManifest } from '../../../core/services/releases/releaseLayout.js';
import { etagOf } from '../http/conditionalRequest.js';
import { encodePathForLocation } from '../http/requestTarget.js';
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

/** A file with everything its responses need. */
export interface PreparedFile extends FileAt {
  /** `"<blob>"`. */
  readonly etag: string;
  readonly contentType: string;
  readonly cacheControl: string;
  /** Worth compressing on the fly when no sibling exists. */
  readonly compressible: boolean;
  /** Deployed `<path>.br` / `<path>.gz`, served to clients that accept them. */
  readonly br?: FileAt;
  readonly gzip?: FileAt;
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
    const br = this.#sibling(`${path}.br`);
    const gzip = this.#sibling(`${path}.gz`);
    const compressible = isCompressible(contentType) && file.size >= this.#rules.compressMinBytes;
    const etag = etagOf(file.blob, 'identity');
    const cacheControl = this.#rules.policy.valueFor(path, file.cacheControl, contentType);
    const vary = compressible || br !== undefined || gzip !== undefined;
    const identityHeaders = Object.entries(this.#rules.siteHeaders).flat();
    identityHeaders.push('Content-Type', contentType, 'Cache-Control', cacheControl);
    if (vary) identityHeaders.push('Vary', 'Accept-Encoding');
    identityHeaders.push('ETag', etag, 'Last-Modified', this.lastModified, 'Accept-Ranges', 'bytes');
    const made: PreparedFile = {
      path,
      file,
      cacheKey: cacheKeyOf(this.site, file),
      etag,
      contentType,
      cacheControl,
      compressible,
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

  #sibling(path: string): FileAt | undefined {
    const file = this.#files.get(path);
    return file === undefined ? undefined : { path, file, cacheKey: cacheKeyOf(this.site, file) };
  }

  #redirect(path: string, query: string): Resolution {
    const search = query.length > 0 && query.length <= 1024 && /^[\x21-\x7e]+$/.test(query) ? `?${query}` : '';
    return { kind: 'redirect', location: encodePathForLocation(path) + search };
  }
}
