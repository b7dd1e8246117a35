/**
 * `hearth backup run` against a running host: a POST to its `/backup/run` (runRoute.ts) with the
 * token from HEARTH_TOKEN (from the environment, so it never shows in `ps`). A backup may take
 * longer than fetch's default wait for an answer, so this uses node:http, which waits as long as
 * the host works.
 */
import { request } from 'node:http';
import { HearthError } from '../../../core/errors/HearthError.js';
import { readAnswer } from '../../../core/http/errorResponses.js';
import type { RunningHost } from './hostGuard.js';
import { RUN_ROUTE, type RunAnswer } from './runRoute.js';

/** The variable the token comes from. */
export const TOKEN_ENV = 'HEARTH_TOKEN';

function post(url: string, token: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = request(url, { method: 'POST', headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    call.on('error', reject);
    call.end();
  });
}

/** Asks the running host for a backup; returns what it wrote, or throws the host's error. */
export async function runOnHost(hostName: string, running: RunningHost, env: NodeJS.ProcessEnv = process.env): Promise<RunAnswer> {
  const url = `${running.url}/backup${RUN_ROUTE}`;
  let answer: { status: number; body: string };
  try {
    answer = await post(url, env[TOKEN_ENV] || undefined);
  } catch (error) {
    throw new HearthError('HEARTH_ERR_BACKUP_HOST_RUNNING', `host '${hostName}' is running (${running.sign}), so it takes the snapshot itself, but ${url} does not answer (${(error as Error).message}); wait until it is ready, or stop it and run the backup again`, { cause: error });
  }
  const { parsed, error: remote } = readAnswer(answer.body);
  if (answer.status === 200 && parsed !== undefined) return parsed as RunAnswer;
  const message = `host '${hostName}' is running, and asked to back itself up it answered ${answer.status}: ${remote?.message ?? answer.body.slice(0, 200)}`;
  throw new HearthError(remote?.code ?? 'HEARTH_ERR_BACKUP_HOST_RUNNING', message, { statusCode: answer.status || 500 });
}
