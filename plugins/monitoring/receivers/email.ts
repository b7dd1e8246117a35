/**
 * The email integration: one message per notification over SMTP (nodemailer), with Alertmanager's
 * `email_configs` fields. Transient SMTP answers (4xx) and connection trouble are retried;
 * permanent refusals (5xx) are not.
 */
import type { NotificationData } from '../alerting/notificationData.js';
import { asSecret, NotifyError, type Integration, type SecretText } from './integration.js';
import { compileMessageTemplate, DEFAULT_TEXT, DEFAULT_TITLE, templateView } from './templateData.js';

/** An email receiver as written in the config. */
export interface EmailConfig {
  readonly to: string;
  readonly from: string;
  /** `host:port` of the SMTP server; port 465 means implicit TLS. */
  readonly smarthost: string;
  readonly hello?: string;
  readonly auth_username?: string;
  readonly auth_password?: SecretText;
  /** Require STARTTLS (default true, as in Alertmanager). */
  readonly require_tls?: boolean;
  readonly tls_config?: { readonly insecure_skip_verify?: boolean };
  /** Extra headers; `Subject` is a template. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The plain-text body template. */
  readonly text?: string;
  /** Default false, as in Alertmanager. */
  readonly send_resolved?: boolean;
}

/** Seconds-scale limits on one SMTP conversation, so a stuck server cannot hold a retry slot. */
const SMTP_TIMEOUTS_MS = { connection: 10_000, greeting: 10_000, socket: 20_000 } as const;

/** Makes an email integration; problems with its config go to `errors`. */
export function emailIntegration(receiver: string, index: number, config: EmailConfig, errors: string[]): Integration {
  const path = `receivers.${receiver}.email_configs[${index}]`;
  const match = /^(.+):(\d{1,5})$/.exec(config.smarthost);
  if (!match) errors.push(`${path}.smarthost: '${config.smarthost}' must be host:port`);
  const host = match?.[1]?.replace(/^\[(.*)\]$/, '$1') ?? 'localhost';
  const port = Number(match?.[2] ?? 25);
  const headers = { ...(config.headers ?? {}) };
  const subjectKey = Object.keys(headers).find((k) => k.toLowerCase() === 'subject');
  const subject = compileMessageTemplate(subjectKey ? headers[subjectKey] : undefined, DEFAULT_TITLE, `${path}.headers.Subject`, errors);
  if (subjectKey) delete headers[subjectKey];
  const text = compileMessageTemplate(config.text, DEFAULT_TEXT, `${path}.text`, errors);
  const password = config.auth_password === undefined ? undefined : asSecret(config.auth_password);
  return {
    type: 'email', index, sendResolved: config.send_resolved ?? false, maxAlerts: 0,
    async send(data: NotificationData, signal: AbortSignal): Promise<void> {
      // nodemailer is ~0.4 MB of JavaScript that only a host sending mail needs, and only once it does.
      const { default: nodemailer } = await import('nodemailer');
      const transport = nodemailer.createTransport({
        host, port, secure: port === 465, requireTLS: config.require_tls ?? true, name: config.hello,
        auth: config.auth_username ? { user: config.auth_username, pass: password?.reveal() ?? '' } : undefined,
        tls: { rejectUnauthorized: !(config.tls_config?.insecure_skip_verify ?? false) },
        connectionTimeout: SMTP_TIMEOUTS_MS.connection, greetingTimeout: SMTP_TIMEOUTS_MS.greeting, socketTimeout: SMTP_TIMEOUTS_MS.socket,
      });
      const abort = (): void => transport.close();
      signal.addEventListener('abort', abort, { once: true });
      try {
        const view = templateView(data);
        await transport.sendMail({
          from: config.from, to: config.to, subject: subject.render(view).replace(/[\r\n]+/g, ' '), text: text.render(view), headers,
        });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        const retryable = code === undefined || (code >= 400 && code < 500);
        const reason = signal.aborted ? 'timed out' : (error as Error).message;
        throw new NotifyError(`receiver '${receiver}' email ${index}: ${reason}`, retryable, { cause: error });
      } finally {
        signal.removeEventListener('abort', abort);
        transport.close();
      }
    },
  };
}
