/**
 * The webhook integration: POSTs Alertmanager's version 4 JSON message, so any receiver written
 * for Alertmanager (PagerDuty bridges, chat bots, custom handlers) works unchanged.
 */
import type { NotificationData } from '../alerting/notificationData.js';
import { Secret } from '../../../core/config/secret.js';
import { asSecret, postNotification, type Integration, type SecretText } from './integration.js';
import { encodeWebhookPayload } from './webhookPayload.js';

/** A webhook as written in the config (Alertmanager's field names). */
export interface WebhookConfig {
  readonly url: SecretText;
  /** Default true, as in Alertmanager. */
  readonly send_resolved?: boolean;
  /** Alerts per message; 0 (default) sends all and reports the rest in `truncatedAlerts`. */
  readonly max_alerts?: number;
  readonly http_config?: {
    readonly bearer_token?: SecretText;
    readonly basic_auth?: { readonly username: string; readonly password: SecretText };
  };
}

/** Makes a webhook integration. */
export function webhookIntegration(receiver: string, index: number, config: WebhookConfig): Integration {
  const url = asSecret(config.url);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Hearth-monitoring' };
  const auth = config.http_config;
  const authorization = auth?.bearer_token
    ? new Secret(`Bearer ${asSecret(auth.bearer_token).reveal()}`)
    : auth?.basic_auth
      ? new Secret(`Basic ${Buffer.from(`${auth.basic_auth.username}:${asSecret(auth.basic_auth.password).reveal()}`).toString('base64')}`)
      : undefined;
  const what = `receiver '${receiver}' webhook ${index}`;
  return {
    type: 'webhook',
    index,
    sendResolved: config.send_resolved ?? true,
    maxAlerts: config.max_alerts ?? 0,
    async send(data: NotificationData, signal: AbortSignal): Promise<void> {
      const withAuth = authorization ? { ...headers, authorization: authorization.reveal() } : headers;
      await postNotification(what, url.reveal(), encodeWebhookPayload(data), withAuth, signal);
    },
  };
}
