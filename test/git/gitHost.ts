/**
 * A real host running the git plugin, as the push tests use it: booted from YAML with tokens made
 * for the test, its storage opened the way the edge plugin will read it, and push URLs that carry
 * a token the way a self-hoster's remote does.
 */
import { hashToken } from '../../core/services/tokens.js';
import type { Storage } from '../../core/services/storage/storage.js';
import { listReleaseIds, openFile, readLiveRelease } from '../../core/services/releases/releaseReader.js';
import { siteKeys } from '../../core/services/releases/releaseLayout.js';
import type { GitPluginInstance } from '../../plugins/git/index.js';
import { bootHost, type BootedHost, type BootOptions } from '../helpers/bootHost.js';

/** Tokens every test host knows: what each may do is in the YAML below. */
export const TOKENS = {
  /** push (and so read) on every test site. */
  push: 'hth_test-push-token',
  /** read only, on every site. */
  read: 'hth_test-read-token',
  /** push, but only to other.example. */
  otherSite: 'hth_test-other-site-token',
} as const;

/** The tokens section for {@link TOKENS}. */
export function tokensYaml(sites: readonly string[]): string {
  return [
    'tokens:',
    '  pusher:',
    `    hash: "${hashToken(TOKENS.push)}"`,
    `    sites: [${sites.join(', ')}]`,
    '    scopes: [push]',
    '  reader:',
    `    hash: "${hashToken(TOKENS.read)}"`,
    `    sites: ["*"]`,
    '    scopes: [read]',
    '  other:',
    `    hash: "${hashToken(TOKENS.otherSite)}"`,
    '    sites: [other.example]',
    '    scopes: [push]',
  ].join('\n');
}

/** A booted host with the git plugin and helpers around it. */
export interface GitHost {
  readonly booted: BootedHost;
  readonly storage: Storage;
  readonly git: GitPluginInstance;
  /** `http://git:TOKEN@127.0.0.1:PORT/git/<site>.git`. */
  url(site: string, token?: string | null): string;
  /** The live release's files (path -> content), or undefined before the first deploy. */
  liveFiles(site: string): Promise<Record<string, string> | undefined>;
  /** Ids of the kept releases, oldest first. */
  releaseIds(site: string): Promise<string[]>;
  /** Bundle ids stored for a site. */
  bundleIds(site: string): Promise<string[]>;
}

/** The live release's files of a site in `storage` (path -> content), or undefined before the first deploy. */
export async function liveFilesOf(storage: Storage, site: string): Promise<Record<string, string> | undefined> {
  const release = await readLiveRelease(storage, site);
  if (!release) return undefined;
  const files: Record<string, string> = {};
  for (const path of Object.keys(release.files)) {
    const opened = await openFile(storage, release, path);
    const parts: Buffer[] = [];
    for await (const chunk of opened!.body) parts.push(chunk as Buffer);
    files[path] = Buffer.concat(parts).toString('utf8');
  }
  return files;
}

/** Boots `yaml` (which must run the git plugin) and wraps it. */
export async function bootGitHost(yaml: string, options: BootOptions = {}): Promise<GitHost> {
  const booted = await bootHost(yaml, options);
  const storage = booted.host.container.resolve('storage') as Storage;
  const git = booted.host.instance<GitPluginInstance>('git');
  if (!git) throw new Error('the host does not run the git plugin');
  return {
    booted,
    storage,
    git,
    url(site, token = TOKENS.push) {
      const base = booted.url.replace('http://', token === null ? 'http://' : `http://git:${token}@`);
      return `${base}/git/${site}.git`;
    },
    liveFiles: (site) => liveFilesOf(storage, site),
    releaseIds: (site) => listReleaseIds(storage, site),
    async bundleIds(site) {
      const prefix = siteKeys(site).bundles;
      const ids: string[] = [];
      for await (const info of storage.list(prefix)) ids.push(info.key.slice(prefix.length));
      return ids.sort();
    },
  };
}
