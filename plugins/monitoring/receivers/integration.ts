/**
 * A receiver's integrations (one per webhook, email, Slack, Discord or ntfy entry) share this
 * shape, and report failures as {@link NotifyError}: retryable (network trouble, 5xx, 429) or not
 * (a 4xx the receiver will answer again).
 */
import { Secret } from '../../../core/config/secret.js';
import type { NotificationData } from '../alerting/notificationData.js';

/** A config value that may hold a secret: the host file's loader gives a Secret, tests may pass text. */
export type SecretText = string | Secret;

/** Wraps a config value as a Secret (keeping one that already is). */
export function asSecret(value: SecretText): Secret {
  return typeof value === 'string' ? new Secret(value) : value;
}

/** One way of delivering a receiver's notifications. */
export interface Integration {
  /** `webhook`, `email`, `slack`, `discord` or `ntfy`. */
  readonly type: string;
  /** Position among the receiver's integrations of the same type. */
  readonly index: number;
  /** Whether resolved alerts are notified (Alertmanager's per-integration default applies). */
  readonly sendResolved: boolean;
  /** Alerts per notification; 0 is no limit (webhook's `max_alerts`). */
  readonly maxAlerts: number;
  /** Delivers one notification. Throws {@link NotifyError}. */
  send(data: NotificationData, signal: AbortSignal): Promise<void>;
}

/** A failed delivery. */
export class NotifyError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotifyError';
    this.retryable = retryable;
  }
}

/** The name an integration has in logs and the notification log (`webhook/0`). */
export function integrationName(integration: Integration): string {
  return `${integration.type}/${integration.index}`;
}

/** Largest response body read from a receiver (the rest is discarded). */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs `body` and classifies the outcome as Alertmanager does: 2xx is success, 5xx and 429 are
 * worth retrying, other statuses are not. The URL is never put in an error message, since chat
 * webhook URLs carry their secret.
 */
export async function postNotification(
  what: string,
  url: string,
  body: string | Uint8Array,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers, signal, redirect: 'error' });
  } catch (error) {
    const reason = signal.aborted ? 'timed out' : ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
    throw new NotifyError(`${what}: request failed (${reason})`, true, { cause: error });
  }
  const excerpt = await readExcerpt(response);
  if (response.status >= 200 && response.status < 300) return;
  const retryable = response.status >= 500 || response.status === 429;
  throw new NotifyError(`${what}: receiver answered ${response.status}${excerpt ? ` (${excerpt})` : ''}`, retryable);
}

async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    return '';
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
}
