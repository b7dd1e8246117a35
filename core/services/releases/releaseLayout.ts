/**
 * How deployed sites are laid out in storage (see docs/releases.md):
 *
 * ```
 * sites/<site>/bundles/<bundle id>     file contents, concatenated; immutable, content-addressed
 * sites/<site>/releases/<id>.json      one release's manifest: path -> blob, bundle, offset, size, type
 * sites/<site>/live.json               which release is live; switched by one atomic put
 * ```
 *
 * Files travel in bundles (many small files per storage object) because a put costs the same
 * fsync or HTTP round trip whatever its size: a 5,000-file site is a few dozen puts, not 5,000.
 * A reader follows live.json to one manifest and reads each file as a byte range of its bundle,
 * so a request during a deploy sees the old release or the new one, never a mix. A blob id is
 * git's blob id (SHA-1 of `blob <size>\0<content>`); a bundle id is the SHA-256 of the bundle.
 */
import { createHash } from 'node:crypto';

/** The manifest and pointer format this code writes and reads. */
export const RELEASE_FORMAT = 1;

/** One file of a release. */
export interface ReleaseFile {
  /** Blob id (40 hex): names the content, usable as an HTTP ETag. */
  readonly blob: string;
  /** The bundle holding the content, and where in it the content starts. */
  readonly bundle: string;
  readonly offset: number;
  /** Bytes. */
  readonly size: number;
  /** `file` or `executable`; storage keeps no modes, so this is informational. */
  readonly mode: 'file' | 'executable';
  readonly contentType: string;
  readonly cacheControl?: string;
}

/** A release: a complete, immutable set of files, with where it came from. */
export interface ReleaseManifest {
  readonly format: typeof RELEASE_FORMAT;
  readonly site: string;
  /** `<6-digit sequence>-<commit>`: sorts in deploy order. */
  readonly id: string;
  readonly commit: string;
  readonly branch: string;
  readonly author: { readonly name: string; readonly email: string };
  /** First line of the commit message. */
  readonly subject: string;
  /** ISO time of the commit. */
  readonly committedAt: string;
  /** ISO time of the deploy. */
  readonly deployedAt: string;
  /** True when the files are a build's output rather than the commit's tree. */
  readonly built: boolean;
  readonly fileCount: number;
  readonly bytes: number;
  /** Path (relative, `/`-separated, no leading slash) -> file. */
  readonly files: Readonly<Record<string, ReleaseFile>>;
  /** Every bundle the files are in -> its size in bytes. */
  readonly bundles: Readonly<Record<string, number>>;
}

/** The content of live.json. */
export interface LivePointer {
  readonly format: typeof RELEASE_FORMAT;
  readonly release: string;
  readonly commit: string;
  readonly switchedAt: string;
}

const BLOB_ID = /^[0-9a-f]{40}$/;
const BUNDLE_ID = /^[0-9a-f]{64}$/;
const RELEASE_ID = /^(\d{6,})-([0-9a-f]{40})$/;

/** The storage keys of one site. */
export function siteKeys(site: string) {
  if (site.length === 0 || site.includes('/') || site.startsWith('.')) throw new RangeError(`'${site}' cannot be a site name in storage keys`);
  const root = `sites/${site}/`;
  return {
    root,
    bundles: `${root}bundles/`,
    releases: `${root}releases/`,
    live: `${root}live.json`,
    bundle: (id: string) => `${root}bundles/${id}`,
    release: (id: string) => `${root}releases/${id}.json`,
  } as const;
}

/** True for a blob id. */
export function isBlobId(value: string): boolean {
  return BLOB_ID.test(value);
}

/** True for a bundle id. */
export function isBundleId(value: string): boolean {
  return BUNDLE_ID.test(value);
}

/** The bundle id of a bundle's content (SHA-256). */
export function bundleIdOf(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The blob id of some content (git's: SHA-1 of `blob <size>\0<content>`). */
export function blobIdOf(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** The release id of the `sequence`th deploy of `commit`. */
export function releaseId(sequence: number, commit: string): string {
  return `${String(sequence).padStart(6, '0')}-${commit}`;
}

/** The sequence number of a release id, or undefined for anything else. */
export function releaseSequence(id: string): number | undefined {
  const match = RELEASE_ID.exec(id);
  return match ? Number(match[1]) : undefined;
}

/**
 * Checks a parsed manifest's shape (storage may hold anything: a half-restored backup, a hand
 * edit). Throws a TypeError naming the first problem.
 */
export function checkManifest(value: unknown, where: string): ReleaseManifest {
  const manifest = value as ReleaseManifest;
  const fail = (what: string): never => {
    throw new TypeError(`${where} is not a release manifest: ${what}`);
  };
  if (typeof value !== 'object' || value === null) fail('not an object');
  if (manifest.format !== RELEASE_FORMAT) fail(`format ${String(manifest.format)} (expected ${RELEASE_FORMAT})`);
  if (typeof manifest.id !== 'string' || releaseSequence(manifest.id) === undefined) fail('bad id');
  if (typeof manifest.files !== 'object' || manifest.files === null) fail('no files');
  if (typeof manifest.bundles !== 'object' || manifest.bundles === null) fail('no bundles');
  for (const [path, file] of Object.entries(manifest.files)) {
    const bundleSize = typeof file === 'object' && file !== null ? manifest.bundles[file.bundle] : undefined;
    const placed = bundleSize !== undefined && Number.isSafeInteger(file.offset) && Number.isSafeInteger(file.size) && file.offset >= 0 && file.size >= 0 && file.offset + file.size <= bundleSize;
    if (!placed || !isBlobId(file.blob) || !isBundleId(file.bundle) || typeof file.contentType !== 'string') {
      fail(`file ${JSON.stringify(path)} is malformed`);
    }
  }
  return manifest;
}

/** Checks a parsed live pointer's shape. */
export function checkLivePointer(value: unknown, where: string): LivePointer {
  const pointer = value as LivePointer;
  if (typeof value !== 'object' || value === null || pointer.format !== RELEASE_FORMAT || typeof pointer.release !== 'string' || releaseSequence(pointer.release) === undefined) {
    throw new TypeError(`${where} is not a live-release pointer`);
  }
  return pointer;
}
