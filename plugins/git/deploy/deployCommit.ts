/**
 * Deploys one commit of a site: its tree checked, built when the site has a build, and published
 * as a release (only blobs storage lacks are uploaded; the live switch is one atomic put). Any
 * failure leaves the live site as it was.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import type { Storage } from '../../../core/services/storage/storage.js';
import { publishRelease, type FileToPublish, type PublishResult } from '../../../core/services/releases/releaseWriter.js';
import { buildSite } from '../build/siteBuild.js';
import type { GitConfig, GitSiteConfig } from '../config.js';
import { parseCommit } from '../repo/commitObject.js';
import type { ObjectStore } from '../repo/objectStore.js';
import { listTreeFiles } from '../tree/siteTree.js';
import { compileCacheRules } from '../../../core/services/releases/cacheRules.js';
import { contentTypeFor } from './contentType.js';

/** Longest deployed path in bytes: S3 keys are at most 1024, and paths may become keys at a CDN. */
const MAX_PATH_BYTES = 1000;

/** What {@link deployCommit} needs. */
export interface DeployRequest {
  readonly site: string;
  readonly branch: string;
  readonly commit: string;
  readonly store: ObjectStore;
  readonly storage: Storage;
  readonly config: GitConfig;
  readonly siteConfig: GitSiteConfig;
  readonly now: Date;
  /** Receives lines for the pusher (`remote: ...`). */
  say(line: string): void;
  /** Receives raw build output for the pusher. */
  buildOutput(text: string): void;
}

/** Checks, builds and publishes. Throws a HearthError telling the pusher what to fix. */
export async function deployCommit(request: DeployRequest): Promise<PublishResult> {
  const { store, config, siteConfig } = request;
  const commit = parseCommit(request.commit, await store.readTyped(request.commit, 'commit'));
  const maxFileBytes = siteConfig.maxFileBytes ?? config.maxFileBytes;
  const treeFiles = await listTreeFiles(store, commit.tree, { maxFiles: config.maxFiles, maxPathBytes: MAX_PATH_BYTES }, request.say);
  const readTreeBlob = async (oid: string): Promise<Buffer> => {
    const content = await store.readTyped(oid, 'blob');
    if (content.length > maxFileBytes) {
      const path = treeFiles.find((file) => file.oid === oid)?.path ?? oid;
      throw new HearthError('HEARTH_ERR_GIT_FILE_TOO_LARGE', `${JSON.stringify(path)} is ${content.length} bytes, over the site's limit of ${maxFileBytes} (maxFileBytes); remove it or raise the limit`);
    }
    return content;
  };
  const cacheControlFor = compileCacheRules(siteConfig.cacheControl ?? config.cacheControl);
  const describe = (path: string): Pick<FileToPublish, 'contentType' | 'cacheControl'> => {
    const cacheControl = cacheControlFor(path);
    return { contentType: contentTypeFor(path), ...(cacheControl ? { cacheControl } : {}) };
  };
  const base = {
    site: request.site,
    commit: request.commit,
    branch: request.branch,
    author: { name: commit.author.name, email: commit.author.email },
    subject: commit.subject,
    committedAt: new Date(commit.author.timestamp * 1000),
  };
  const publishOptions = { keep: config.releasesKept, now: request.now, concurrency: config.uploadConcurrency };

  if (!siteConfig.build) {
    const files = treeFiles.map((file) => ({ path: file.path, blob: file.oid, mode: file.mode, ...describe(file.path) }));
    return publishRelease(request.storage, { ...base, built: false, files, readBlob: readTreeBlob }, publishOptions);
  }

  request.say(`building: ${siteConfig.build.command}`);
  const build = await buildSite({
    files: treeFiles,
    readBlob: readTreeBlob,
    command: siteConfig.build.command,
    output: siteConfig.build.output,
    timeoutMs: siteConfig.build.timeoutMs ?? config.buildTimeoutMs,
    maxOutputBytes: config.maxBuildOutputBytes,
    maxFileBytes,
    maxFiles: config.maxFiles,
    onOutput: request.buildOutput,
  });
  try {
    const files = build.files.map((file) => ({ path: file.path, blob: file.blob, mode: file.mode, ...describe(file.path) }));
    if (files.length === 0) throw new HearthError('HEARTH_ERR_GIT_BUILD_FAILED', `the build output '${siteConfig.build.output}' is empty; nothing would be served`);
    return await publishRelease(request.storage, { ...base, built: true, files, readBlob: build.readBlob }, publishOptions);
  } finally {
    await build.dispose();
  }
}
