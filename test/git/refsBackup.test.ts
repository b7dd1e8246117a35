/**
 * The repositories' refs in backups (plugins/git/state/refsArchive.ts): read under each site's
 * lock before the repository files are copied, and written back over the copied ones on restore,
 * so a push that lands while the files are copied cannot leave a restored ref naming objects the
 * copy lacks.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempDirs.js';
import type { HostConfig } from '../../core/config/types.js';
import type { StateOwner } from '../../core/plugin/definition.js';
import { RefStore } from '../../plugins/git/repo/refStore.js';
import { SiteLocks } from '../../plugins/git/repo/siteLock.js';
import { dumpRefs, loadRefs } from '../../plugins/git/state/refsArchive.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
afterAll(removeTempDirs);

const temp = (): Promise<string> => tempDir('hearth-refs-backup-');

/** The git plugin's owner record on a fresh data directory, and the refs of one site's repository. */
async function plugin(): Promise<{ owner: StateOwner; refs: RefStore }> {
  const dir = await temp();
  const owner: StateOwner = { dataDir: join(dir, 'git'), config: {}, host: { name: 'services', dataDir: dir } as unknown as HostConfig, logger: pino({ level: 'silent' }) };
  return { owner, refs: new RefStore(join(owner.dataDir, 'repos', 'example.com.git')) };
}

describe("the repositories' refs in a backup", () => {
  it('come back as they were read, whatever a push changed in the copied files', async () => {
    const { owner, refs } = await plugin();
    await refs.write('refs/heads/main', A);
    await refs.write('refs/tags/v1', A);
    const dump = await temp();
    await dumpRefs(dump, owner);
    // A push lands while the files are copied: the copy holds its refs, maybe not all its objects.
    await refs.write('refs/heads/main', B);
    await refs.write('refs/heads/feature', B);
    await refs.delete('refs/tags/v1');
    await loadRefs(dump, owner);
    expect(await refs.list()).toEqual([
      { name: 'refs/heads/main', oid: A },
      { name: 'refs/tags/v1', oid: A },
    ]);
  });

  it('are read under the site’s lock: a push holding it is waited for', async () => {
    const { owner, refs } = await plugin();
    await refs.write('refs/heads/main', A);
    let started!: () => void;
    const holding = new Promise<void>((resolve) => (started = resolve));
    const push = new SiteLocks(join(owner.dataDir, 'locks')).withLock('example.com', 1000, async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await refs.write('refs/heads/main', B);
    });
    await holding;
    const dump = await temp();
    await dumpRefs(dump, owner);
    await push;
    await refs.write('refs/heads/main', A);
    await loadRefs(dump, owner);
    expect(await refs.read('refs/heads/main')).toBe(B);
  });

  it('leave the copied refs alone when the snapshot predates them', async () => {
    const { owner, refs } = await plugin();
    await refs.write('refs/heads/main', B);
    await loadRefs(await temp(), owner);
    expect(await refs.read('refs/heads/main')).toBe(B);
  });
});
