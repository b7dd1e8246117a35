/**
 * Runs Prometheus' own `promtool check metrics` on an exposition, so /metrics is judged by the
 * real parser and linter rather than by a reimplementation.
 */
import { spawn } from 'node:child_process';

/** promtool's verdict: exit code and what it printed (lint warnings included). */
export interface PromtoolResult {
  readonly code: number | null;
  readonly output: string;
}

/** Pipes `exposition` into `promtool check metrics`. Fails clearly when promtool is missing. */
export function promtoolCheckMetrics(exposition: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) =>
      reject(new Error(`promtool is not installed: apt-get install prometheus (the test suite checks /metrics with it); ${error.message}`)),
    );
    child.on('close', (code) => resolve({ code, output: output.trim() }));
    child.stdin.end(exposition);
  });
}
