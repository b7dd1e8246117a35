/**
 * Runs a site's build command: `sh -c <command>` in the checkout, in a process group of its own,
 * with an environment of PATH, HOME (a fresh directory) and LANG only — no host secret reaches
 * a build. A timeout kills the whole group; so does the end of the build, so a daemon it left
 * behind cannot outlive it. Output is passed on line by line, up to a byte budget.
 */
import { spawn } from 'node:child_process';

/** How a build ended. */
export interface BuildOutcome {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** What {@link runBuild} needs. */
export interface BuildRun {
  readonly command: string;
  readonly cwd: string;
  /** A directory the build may use as HOME (caches, config files). */
  readonly home: string;
  readonly timeoutMs: number;
  /** Output bytes passed to `onOutput`; the rest is counted and summarised. */
  readonly maxOutputBytes: number;
  /** Receives output text, in order, stdout and stderr interleaved as they arrive. */
  onOutput(text: string): void;
}

/** Where the build looks for programs when the host has no PATH (a bare systemd unit). */
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';
/** Milliseconds to wait for the output pipes to close once the group is killed. */
const PIPE_GRACE_MS = 2_000;

/** Runs the build and resolves when it has ended and its process group is gone. Never rejects for a failed build. */
export function runBuild(run: BuildRun): Promise<BuildOutcome> {
  const started = Date.now();
  const env = { PATH: process.env.PATH ?? FALLBACK_PATH, HOME: run.home, LANG: 'C.UTF-8' };
  const child = spawn('/bin/sh', ['-c', run.command], { cwd: run.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let shown = 0;
  let hidden = 0;
  const forward = (chunk: Buffer): void => {
    const room = run.maxOutputBytes - shown;
    if (room <= 0) {
      hidden += chunk.length;
      return;
    }
    const part = chunk.subarray(0, room);
    shown += part.length;
    hidden += chunk.length - part.length;
    run.onOutput(part.toString('utf8'));
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);

  return new Promise<BuildOutcome>((resolve) => {
    let timedOut = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, run.timeoutMs);
    let finished = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      killGroup();
      let resolved = false;
      const done = (): void => {
        if (resolved) return;
        resolved = true;
        clearTimeout(grace);
        if (hidden > 0) run.onOutput(`\n[${hidden} more bytes of build output not shown]\n`);
        resolve({ ok: !timedOut && exitCode === 0, exitCode, signal, timedOut, durationMs: Date.now() - started });
      };
      // Children that inherited the pipes keep them open until the kill lands; wait a little.
      let pending = 2;
      const closed = (): void => {
        if (--pending === 0) done();
      };
      const grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        done();
      }, PIPE_GRACE_MS);
      if (child.stdout.closed) closed();
      else child.stdout.once('close', closed);
      if (child.stderr.closed) closed();
      else child.stderr.once('close', closed);
    };
    child.once('error', (error) => {
      run.onOutput(`cannot start the build: ${error.message}\n`);
      finish(null, null);
    });
    child.once('exit', finish);
  });
}
