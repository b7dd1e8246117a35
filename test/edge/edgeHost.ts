/**
 * A real host running the git and edge plugins, as a self-hoster runs them: sites deployed with
 * the real git CLI over smart HTTP, then visited on the edge's own port.
 */
import { hashToken } from '../../core/services/tokens.js';
import type { Storage } from '../../core/services/storage/storage.js';
import type { EdgeInstance } from '../../plugins/edge/index.js';
import { bootHost, type BootedHost, type BootOptions } from '../helpers/bootHost.js';
import { WorkTree } from '../git/gitCli.js';

/** The push token every edge test host accepts, for every site. */
export const PUSH_TOKEN = 'hth_edge-test-push-token';

/** The `tokens:` section granting {@link PUSH_TOKEN} push on every site. */
export const TOKENS_YAML = `
tokens:
  pusher:
    hash: "${hashToken(PUSH_TOKEN)}"
    sites: ["*"]
    scopes: [push]
`;

/** A booted host with the edge and git plugins. */
export interface EdgeHost {
  readonly booted: BootedHost;
  readonly edge: EdgeInstance;
  readonly storage: Storage;
  /** The edge's base URL. */
  readonly url: string;
  /** Work trees by site, created on first push. */
  push(site: string, files: Readonly<Record<string, string | Buffer | null>>, message?: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Boots `yaml` (which must run git and edge) and wraps it. */
export async function bootEdgeHost(yaml: string, options: BootOptions = {}): Promise<EdgeHost> {
  const booted = await bootHost(yaml, options);
  const edge = booted.host.instance<EdgeInstance>('edge');
  if (!edge) throw new Error('the host does not run the edge plugin');
  const storage = booted.host.container.resolve('storage') as Storage;
  const trees = new Map<string, WorkTree>();
  return {
    booted,
    edge,
    storage,
    url: edge.url,
    async push(site, files, message = 'deploy') {
      let tree = trees.get(site);
      if (!tree) {
        tree = await WorkTree.create();
        trees.set(site, tree);
      }
      await tree.write(files);
      const commit = await tree.commit(message);
      const remote = `${booted.url.replace('http://', `http://x:${PUSH_TOKEN}@`)}/git/${site}.git`;
      const run = await tree.run(['push', remote, 'main']);
      if (run.code !== 0) throw new Error(`git push to ${site} failed: ${run.stderr}`);
      return commit;
    },
    async dispose() {
      await booted.dispose();
      for (const tree of trees.values()) await tree.dispose();
    },
  };
}
