/**
 * The CLI's way to the running monitoring host: its URL comes from the host file (the host whose
 * plugins include monitoring, or `--host`), or from `--url` when a proxy fronts it; the token
 * comes from the HEARTH_TOKEN environment variable, so it never shows in `ps`.
 */
import type { HearthConfig } from '../../../core/config/types.js';
import { HearthError } from '../../../core/errors/HearthError.js';
import { readAnswer } from '../../../core/http/errorResponses.js';

/** The plugin id hosts list. */
const MONITORING_ID = 'monitoring';
/** Seconds the CLI waits for the API. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Where to reach the API, from the command's options. */
export interface ClientOptions {
  readonly host?: string;
  readonly url?: string;
}

/** The base URL of the monitoring API (`http://address:port/monitoring`) from the host file. */
export function monitoringBaseUrl(config: HearthConfig, options: ClientOptions): string {
  const running = Object.values(config.hosts).filter((h) => h.plugins.some((p) => p.id === MONITORING_ID));
  let host = running[0];
  if (options.host !== undefined) {
    host = running.find((h) => h.name === options.host);
    if (!host) {
      throw new HearthError('HEARTH_ERR_MONITORING_CLI', `host '${options.host}' does not run the monitoring plugin (hosts that do: ${running.map((h) => h.name).join(', ') || 'none'})`);
    }
  } else if (running.length !== 1) {
    throw new HearthError('HEARTH_ERR_MONITORING_CLI', running.length === 0
      ? 'no host in the host file runs the monitoring plugin; add `monitoring: {}` to a host\'s plugins, or pass --url'
      : `several hosts run the monitoring plugin (${running.map((h) => h.name).join(', ')}); choose one with --host`);
  }
  const address = host!.address.includes(':') ? `[${host!.address}]` : host!.address;
  return `http://${address}:${host!.port}/monitoring`;
}

/**
 * Calls the API; returns the parsed JSON answer or throws HEARTH_ERR_MONITORING_CLI, with the
 * status of the answer (503 when there was none), so the CLI exits 2 only for a bad argument.
 */
export async function callMonitoringApi(base: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const token = process.env.HEARTH_TOKEN;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
    throw new HearthError('HEARTH_ERR_MONITORING_CLI', `cannot reach the monitoring API at ${base} (${reason}); is the monitoring host running? Pass --url if a proxy fronts it`, { cause: error, statusCode: 503 });
  }
  const text = await response.text();
  const { parsed, error: remote } = readAnswer(text);
  if (response.ok) return parsed;
  const hint = response.status === 401 ? ' (set HEARTH_TOKEN to a token with sites ["*"])' : '';
  const message = `the monitoring API answered ${response.status}: ${remote?.message ?? text.slice(0, 200)}${hint}`;
  // The API's own code is the one docs/errors.md explains; the CLI's code only says where it came from.
  const cause = remote?.code ? new HearthError(remote.code, remote.message ?? '', { statusCode: response.status }) : undefined;
  // The answer's status is the error's: a 400 or 404 (a bad matcher, an unknown silence) was a bad argument.
  throw new HearthError('HEARTH_ERR_MONITORING_CLI', message, { statusCode: response.status, ...(cause ? { cause } : {}) });
}
