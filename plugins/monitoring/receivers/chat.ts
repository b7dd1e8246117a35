/**
 * Chat integrations: Slack incoming webhooks, Discord webhooks and ntfy topics, each a templated
 * POST. Titles and texts are templates over the notification (see templateData.ts).
 */
import type { NotificationData } from '../alerting/notificationData.js';
import { asSecret, postNotification, type Integration, type SecretText } from './integration.js';
import { compileMessageTemplate, DEFAULT_TEXT, DEFAULT_TITLE, templateView } from './templateData.js';

/** A Slack incoming webhook (Alertmanager's `slack_configs` fields). */
export interface SlackConfig {
  readonly api_url: SecretText;
  readonly channel?: string;
  readonly username?: string;
  readonly title?: string;
  readonly text?: string;
  /** Default false, as in Alertmanager. */
  readonly send_resolved?: boolean;
}

/** A Discord webhook (Alertmanager's `discord_configs` fields). */
export interface DiscordConfig {
  readonly webhook_url: SecretText;
  readonly title?: string;
  readonly message?: string;
  /** Default true, as in Alertmanager. */
  readonly send_resolved?: boolean;
}

/** An ntfy topic URL (e.g. https://ntfy.sh/my-alerts). */
export interface NtfyConfig {
  readonly url: SecretText;
  readonly token?: SecretText;
  readonly title?: string;
  readonly message?: string;
  /** ntfy priority for firing notifications (1-5 or min/low/default/high/urgent). */
  readonly priority?: string;
  readonly tags?: readonly string[];
  /** Default true. */
  readonly send_resolved?: boolean;
}

/** Colours of firing and resolved messages. */
const COLOURS = { firing: { slack: 'danger', discord: 0xe74c3c }, resolved: { slack: 'good', discord: 0x2ecc71 } } as const;
/** Discord's limits on an embed's title and description. */
const DISCORD_LIMITS = { title: 256, description: 4096 } as const;

/** Makes a Slack integration. */
export function slackIntegration(receiver: string, index: number, config: SlackConfig, errors: string[]): Integration {
  const path = `receivers.${receiver}.slack_configs[${index}]`;
  const title = compileMessageTemplate(config.title, DEFAULT_TITLE, `${path}.title`, errors);
  const text = compileMessageTemplate(config.text, DEFAULT_TEXT, `${path}.text`, errors);
  const url = asSecret(config.api_url);
  return {
    type: 'slack', index, sendResolved: config.send_resolved ?? false, maxAlerts: 0,
    async send(data: NotificationData, signal: AbortSignal): Promise<void> {
      const view = templateView(data);
      const renderedTitle = title.render(view);
      const body = {
        ...(config.channel ? { channel: config.channel } : {}),
        ...(config.username ? { username: config.username } : {}),
        attachments: [{ color: COLOURS[data.status].slack, title: renderedTitle, fallback: renderedTitle, text: text.render(view), mrkdwn_in: ['text'] }],
      };
      await postNotification(`receiver '${receiver}' slack ${index}`, url.reveal(), JSON.stringify(body), { 'content-type': 'application/json' }, signal);
    },
  };
}

/** Makes a Discord integration. */
export function discordIntegration(receiver: string, index: number, config: DiscordConfig, errors: string[]): Integration {
  const path = `receivers.${receiver}.discord_configs[${index}]`;
  const title = compileMessageTemplate(config.title, DEFAULT_TITLE, `${path}.title`, errors);
  const message = compileMessageTemplate(config.message, DEFAULT_TEXT, `${path}.message`, errors);
  const url = asSecret(config.webhook_url);
  return {
    type: 'discord', index, sendResolved: config.send_resolved ?? true, maxAlerts: 0,
    async send(data: NotificationData, signal: AbortSignal): Promise<void> {
      const view = templateView(data);
      const embed = {
        title: title.render(view).slice(0, DISCORD_LIMITS.title),
        description: message.render(view).slice(0, DISCORD_LIMITS.description),
        color: COLOURS[data.status].discord,
      };
      await postNotification(`receiver '${receiver}' discord ${index}`, url.reveal(), JSON.stringify({ embeds: [embed] }), { 'content-type': 'application/json' }, signal);
    },
  };
}

/** Makes an ntfy integration: the message is the body, the title and tags are headers. */
export function ntfyIntegration(receiver: string, index: number, config: NtfyConfig, errors: string[]): Integration {
  const path = `receivers.${receiver}.ntfy_configs[${index}]`;
  const title = compileMessageTemplate(config.title, DEFAULT_TITLE, `${path}.title`, errors);
  const message = compileMessageTemplate(config.message, DEFAULT_TEXT, `${path}.message`, errors);
  const url = asSecret(config.url);
  const token = config.token === undefined ? undefined : asSecret(config.token);
  return {
    type: 'ntfy', index, sendResolved: config.send_resolved ?? true, maxAlerts: 0,
    async send(data: NotificationData, signal: AbortSignal): Promise<void> {
      const view = templateView(data);
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=utf-8',
        // Header values must be single-line ASCII-safe; ntfy also accepts RFC 2047 but plain is enough.
        title: title.render(view).replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?'),
        priority: data.status === 'firing' ? (config.priority ?? 'high') : 'default',
        tags: [data.status === 'firing' ? 'rotating_light' : 'white_check_mark', ...(config.tags ?? [])].join(','),
      };
      if (token) headers.authorization = `Bearer ${token.reveal()}`;
      await postNotification(`receiver '${receiver}' ntfy ${index}`, url.reveal(), message.render(view), headers, signal);
    },
  };
}
