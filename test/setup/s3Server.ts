/**
 * A real S3 API for the suites: s3rver on 127.0.0.1 with a free port, its files in a temp dir,
 * one empty bucket made before the first request. Suites reach it with the AWS SDK exactly as a
 * host reaches AWS or MinIO (path-style addressing). s3rver runs as a child process (see
 * s3rverMain.mjs for why); every wait is bounded and fails with what the child printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { S3Fixture } from './fixtures.js';

/** The bucket every run gets; suites keep to their own key prefixes inside it. */
export const TEST_BUCKET = 'hearth-test';
/** s3rver's built-in account: it accepts these credentials. */
const S3RVER_CREDENTIAL = 'S3RVER';

const LIMITS = {
  /** Milliseconds until s3rver must report its port (it takes about 0.3 s). */
  startTimeoutMs: 15_000,
  /** Milliseconds a graceful stop may take before SIGKILL. */
  stopTimeoutMs: 5_000,
} as const;

/** A running s3rver and how to stop it. */
export interface RunningS3 {
  readonly fixture: S3Fixture;
  /** Stops the server and removes its files; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts s3rver on a free loopback port with {@link TEST_BUCKET} created. */
export async function startS3Server(): Promise<RunningS3> {
  const directory = await mkdtemp(join(tmpdir(), 'hearth-s3rver-'));
  const main = fileURLToPath(new URL('./s3rverMain.mjs', import.meta.url));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', main, directory, TEST_BUCKET], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  try {
    const port = await readPort(child, () => stderr);
    const stop = stopper(child, directory);
    return {
      fixture: {
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        accessKeyId: S3RVER_CREDENTIAL,
        secretAccessKey: S3RVER_CREDENTIAL,
        bucket: TEST_BUCKET,
      },
      stop,
    };
  } catch (error) {
    await terminate(child);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/** The port from the child's first line of output, within the start timeout. */
function readPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string): void => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(`s3rver ${why}; its stderr:\n${stderr() || '(empty)'}`));
    };
    const timer = setTimeout(() => fail(`did not report its port within ${LIMITS.startTimeoutMs} ms`), LIMITS.startTimeoutMs);
    child.once('error', (error) => fail(`could not be started (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before listening`));
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      let port: unknown;
      try {
        port = (JSON.parse(line) as { port?: unknown }).port;
      } catch {
        port = undefined;
      }
      if (typeof port === 'number') resolve(port);
      else fail(`printed ${JSON.stringify(line)} instead of its port`);
    });
  });
}

function stopper(child: ChildProcess, directory: string): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      await terminate(child);
      await rm(directory, { recursive: true, force: true });
    })();
    return stopping;
  };
}

/** SIGTERM, then SIGKILL when the child has not exited within the stop timeout. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), LIMITS.stopTimeoutMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
