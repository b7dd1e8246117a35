/**
 * The real git CLI, as a pusher uses it: work trees with files and commits, packs made by
 * `git pack-objects`, and hand-made objects (`git hash-object --literally`) for trees git itself
 * would never write.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** What a git run printed. */
export interface GitRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** An environment that ignores the user's and system's git config, so runs are reproducible. */
export const GIT_ENV: Readonly<Record<string, string>> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Ada Pusher',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Pusher',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_ASKPASS: '/bin/false',
};

/** Runs git; never throws for a non-zero exit (pushes are expected to fail sometimes). */
export function runGit(args: readonly string[], options: { cwd?: string; input?: Buffer | string; env?: Record<string, string> } = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...GIT_ENV, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stderr, stdoutBytes });
    });
    // A git command that reads no input may exit before it is written: that is not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs git and returns its trimmed stdout; throws with stderr when it fails. */
export async function git(args: readonly string[], options: { cwd?: string; input?: Buffer | string; env?: Record<string, string> } = {}): Promise<string> {
  const run = await runGit(args, options);
  if (run.code !== 0) throw new Error(`git ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return run.stdout.trim();
}

/** A work tree with its own repository. */
export class WorkTree {
  private constructor(readonly dir: string) {}

  /** A new repository on branch `main` in a temporary directory. */
  static async create(): Promise<WorkTree> {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-worktree-'));
    await git(['init', '-q', '-b', 'main', dir]);
    return new WorkTree(dir);
  }

  /** Writes files (path -> content); `null` deletes. */
  async write(files: Readonly<Record<string, string | Buffer | null>>): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      const target = join(this.dir, path);
      if (content === null) await rm(target, { force: true });
      else {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
  }

  /** Stages everything and commits; returns the commit id. */
  async commit(message: string): Promise<string> {
    await git(['add', '-A'], { cwd: this.dir });
    await git(['commit', '-q', '--allow-empty', '-m', message], { cwd: this.dir });
    return this.head();
  }

  /** The id HEAD points to. */
  head(): Promise<string> {
    return git(['rev-parse', 'HEAD'], { cwd: this.dir });
  }

  /** Runs git in this work tree. */
  run(args: readonly string[], env?: Record<string, string>): Promise<GitRun> {
    return runGit(args, { cwd: this.dir, ...(env ? { env } : {}) });
  }

  /** A pack of what `revs` (rev-list arguments, e.g. `HEAD`, `^base`) reach, as git push would make it. */
  async pack(revs: readonly string[], options: { thin?: boolean } = {}): Promise<Buffer> {
    const run = await runGit(['pack-objects', '--stdout', '--revs', ...(options.thin ? ['--thin'] : [])], { cwd: this.dir, input: `${revs.join('\n')}\n` });
    if (run.code !== 0) throw new Error(run.stderr);
    return run.stdoutBytes;
  }

  /** A pack of exactly these objects. */
  async packObjects(oids: readonly string[]): Promise<Buffer> {
    const run = await runGit(['pack-objects', '--stdout'], { cwd: this.dir, input: `${oids.join('\n')}\n` });
    if (run.code !== 0) throw new Error(run.stderr);
    return run.stdoutBytes;
  }

  /** Writes a raw object git would refuse to write (a tree with a `..` entry...); returns its id. */
  async writeRawObject(type: 'tree' | 'commit' | 'blob', content: Buffer): Promise<string> {
    return git(['hash-object', '-w', '--literally', '-t', type, '--stdin'], { cwd: this.dir, input: content });
  }

  /** Makes a commit of `tree` on top of HEAD (if any) and moves `main` to it; returns its id. */
  async commitTree(tree: string, message: string): Promise<string> {
    const parent = await runGit(['rev-parse', '-q', '--verify', 'HEAD'], { cwd: this.dir });
    const args = ['commit-tree', tree, '-m', message, ...(parent.code === 0 ? ['-p', parent.stdout.trim()] : [])];
    const commit = await git(args, { cwd: this.dir });
    await git(['update-ref', 'refs/heads/main', commit], { cwd: this.dir });
    return commit;
  }

  /** Removes the work tree. */
  dispose(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

/** Builds raw tree content from entries (mode, name, id), in the order given. */
export function rawTree(entries: readonly { mode: string; name: string; oid: string }[]): Buffer {
  return Buffer.concat(entries.map((entry) => Buffer.concat([Buffer.from(`${entry.mode} ${entry.name}\0`, 'utf8'), Buffer.from(entry.oid, 'hex')])));
}
