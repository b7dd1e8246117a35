/**
 * Runs the real `hearth` executable (bin/hearth.js over the built dist/) as a child process, the
 * way a self-hoster does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The executable under test. */
export const HEARTH_BIN = fileURLToPath(new URL('../../bin/hearth.js', import.meta.url));

/** What a finished command printed and returned. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `hearth ARGS` to completion (bounded by `timeoutMs`). */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HEARTH_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hearth ${args.join(' ')} did not finish in ${options.timeoutMs ?? 30_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running `hearth start`, with its output so far. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  /** Resolves with the exit code once the process ends. */
  readonly exited: Promise<number | null>;
}

/** Starts `hearth ARGS` and resolves once stderr matches `ready` (bounded by `timeoutMs`). */
export function startCli(args: readonly string[], ready: RegExp, options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, [HEARTH_BIN, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hearth ${args.join(' ')} was not ready in ${options.timeoutMs ?? 30_000} ms\n${output.stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      output.stderr += chunk.toString();
      if (ready.test(output.stderr)) {
        clearTimeout(timer);
        resolve({ child, output, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hearth ${args.join(' ')} exited with ${code} before it was ready\n${output.stderr}`));
    });
  });
}

/** A fresh directory holding a copy of `hostFile` as `hosts.yaml`, to run commands in. */
export async function scratchHostDir(hostFile: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-cli-'));
  await cp(hostFile, join(dir, 'hosts.yaml'));
  return dir;
}
