/**
 * Publishing a release straight to storage, as the git plugin's deploy does after a push, for
 * tests that need a deploy at an exact moment (or before a host starts).
 */
import { publishRelease } from '../../core/services/releases/releaseWriter.js';
import { blobIdOf, type ReleaseManifest } from '../../core/services/releases/releaseLayout.js';
import type { Storage } from '../../core/services/storage/storage.js';

/** Publishes `files` as the next release of `site` and makes it live at `now`, keeping two releases. */
export async function publish(storage: Storage, site: string, files: Readonly<Record<string, string>>, commit: string, now = new Date()): Promise<ReleaseManifest> {
  const contents = new Map(Object.values(files).map((content) => [blobIdOf(Buffer.from(content)), Buffer.from(content)]));
  const { release } = await publishRelease(
    storage,
    {
      site, commit, branch: 'main', author: { name: 'Ada', email: 'ada@example.com' }, subject: 'deploy', committedAt: new Date(), built: false,
      files: Object.entries(files).map(([path, content]) => ({ path, blob: blobIdOf(Buffer.from(content)), mode: 'file' as const, contentType: path.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8' })),
      readBlob: async (blob) => contents.get(blob)!,
    },
    { keep: 2, now, concurrency: 2 },
  );
  return release;
}
