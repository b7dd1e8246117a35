/**
 * A site's bare repository on disk: `<dataDir>/repos/<site>.git`, in git's standard layout so C git
 * can read it too (backups, debugging). Pushed packs wait in `quarantine/` until their push passes
 * every check.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ObjectStore } from './objectStore.js';
import { RefStore } from './refStore.js';

const CONFIG = '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n';

/** One site's bare repository. */
export class BareRepo {
  /** The git directory. */
  readonly gitdir: string;
  /** Its branches and tags. */
  readonly refs: RefStore;

  private constructor(gitdir: string) {
    this.gitdir = gitdir;
    this.refs = new RefStore(gitdir);
  }

  /**
   * Opens the repository, creating it on first use, and points HEAD at `branch` (the site's deploy
   * branch, which may have changed in the host file). Removes quarantines left by a crash when
   * `clearQuarantine` is set (only when no push can be running).
   */
  static async open(gitdir: string, branch: string, clearQuarantine: boolean): Promise<BareRepo> {
    for (const dir of ['objects/pack', 'objects/info', 'refs/heads', 'refs/tags', 'quarantine']) {
      await mkdir(join(gitdir, dir), { recursive: true });
    }
    const config = join(gitdir, 'config');
    if ((await readFile(config, 'utf8').catch(() => undefined)) === undefined) await writeFile(config, CONFIG);
    const head = `ref: refs/heads/${branch}\n`;
    if ((await readFile(join(gitdir, 'HEAD'), 'utf8').catch(() => undefined)) !== head) {
      await writeFile(join(gitdir, 'HEAD'), head);
    }
    if (clearQuarantine) {
      await rm(join(gitdir, 'quarantine'), { recursive: true, force: true });
      await mkdir(join(gitdir, 'quarantine'));
    }
    return new BareRepo(gitdir);
  }

  /** A fresh, unique quarantine directory for one push (not created). */
  newQuarantineDir(): string {
    return join(this.gitdir, 'quarantine', `push-${Date.now()}-${randomBytes(6).toString('hex')}`);
  }

  /** An object store over the repository, searching `firstGitdirs` (a quarantine) before it. */
  objects(firstGitdirs: readonly string[] = []): ObjectStore {
    return new ObjectStore([...firstGitdirs, this.gitdir]);
  }
}
