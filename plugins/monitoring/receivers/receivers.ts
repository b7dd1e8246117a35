/**
 * Receivers from the config: each a name and any number of integrations, as in Alertmanager's
 * `receivers:` section. A receiver with no integration is valid and drops its notifications
 * (Alertmanager's "blackhole").
 */
import { discordIntegration, ntfyIntegration, slackIntegration, type DiscordConfig, type NtfyConfig, type SlackConfig } from './chat.js';
import { emailIntegration, type EmailConfig } from './email.js';
import { asSecret, type Integration, type SecretText } from './integration.js';
import { webhookIntegration, type WebhookConfig } from './webhook.js';

/** One receiver as written in the config. */
export interface ReceiverConfig {
  readonly name: string;
  readonly webhook_configs?: readonly WebhookConfig[];
  readonly email_configs?: readonly EmailConfig[];
  readonly slack_configs?: readonly SlackConfig[];
  readonly discord_configs?: readonly DiscordConfig[];
  readonly ntfy_configs?: readonly NtfyConfig[];
}

/** Builds every receiver's integrations, collecting config problems into `errors`. */
export function buildReceivers(configs: readonly ReceiverConfig[], errors: string[]): Map<string, Integration[]> {
  const receivers = new Map<string, Integration[]>();
  for (const config of configs) {
    if (receivers.has(config.name)) {
      errors.push(`receivers: the name '${config.name}' is used twice`);
      continue;
    }
    const checkUrl = (url: SecretText, path: string): void => {
      let parsed: URL | undefined;
      try {
        parsed = new URL(asSecret(url).reveal());
      } catch {
        parsed = undefined;
      }
      // The URL itself is not quoted: chat webhook URLs carry their secret.
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) errors.push(`${path}: the URL must be an http:// or https:// URL`);
    };
    const integrations: Integration[] = [];
    const base = `receivers.${config.name}`;
    (config.webhook_configs ?? []).forEach((c, i) => {
      checkUrl(c.url, `${base}.webhook_configs[${i}].url`);
      integrations.push(webhookIntegration(config.name, i, c));
    });
    (config.email_configs ?? []).forEach((c, i) => integrations.push(emailIntegration(config.name, i, c, errors)));
    (config.slack_configs ?? []).forEach((c, i) => {
      checkUrl(c.api_url, `${base}.slack_configs[${i}].api_url`);
      integrations.push(slackIntegration(config.name, i, c, errors));
    });
    (config.discord_configs ?? []).forEach((c, i) => {
      checkUrl(c.webhook_url, `${base}.discord_configs[${i}].webhook_url`);
      integrations.push(discordIntegration(config.name, i, c, errors));
    });
    (config.ntfy_configs ?? []).forEach((c, i) => {
      checkUrl(c.url, `${base}.ntfy_configs[${i}].url`);
      integrations.push(ntfyIntegration(config.name, i, c, errors));
    });
    receivers.set(config.name, integrations);
  }
  return receivers;
}
