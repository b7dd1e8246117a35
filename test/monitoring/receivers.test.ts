import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../core/config/secret.js';
import { makeAlert } from '../../plugins/monitoring/alerting/alert.js';
import { buildNotificationData, type NotificationData } from '../../plugins/monitoring/alerting/notificationData.js';
import { makeLabels } from '../../plugins/monitoring/model/labels.js';
import { NotifyError } from '../../plugins/monitoring/receivers/integration.js';
import { buildReceivers } from '../../plugins/monitoring/receivers/receivers.js';
import { startWebhookReceiver, type WebhookReceiver } from './alertingHarness.js';

const T0 = Date.parse('2025-05-01T08:00:00Z');

function notification(resolvedAt = 0): NotificationData {
  const alert = makeAlert({
    labels: makeLabels({ alertname: 'DiskAlmostFull', host: 'services', severity: 'warning' }),
    annotations: makeLabels({ summary: 'The data disk of services is over 90% full', description: 'Only 7.5% is free.' }),
    startsAt: T0, endsAt: resolvedAt, generatorURL: 'http://mon/monitoring/api/v1/query?query=x', updatedAt: T0,
  });
  return buildNotificationData('ops', '{}:{alertname="DiskAlmostFull"}', makeLabels({ alertname: 'DiskAlmostFull' }), [alert], T0 + 60_000, 'http://mon/monitoring');
}

interface Mail {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

describe('email over SMTP', () => {
  const mails: Mail[] = [];
  let server: SMTPServer;
  let port = 0;
  let refuse = 0;
  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'hearth' && auth.password === 'mail-secret') callback(null, { user: auth.username });
        else callback(new Error('bad credentials'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (refuse > 0) {
            refuse--;
            const error = new Error('mailbox busy') as Error & { responseCode: number };
            error.responseCode = 451;
            return callback(error);
          }
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), user: session.user as string | undefined });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function emailReceiver(extra: Record<string, unknown> = {}) {
    const errors: string[] = [];
    const receivers = buildReceivers(
      [{ name: 'ops', email_configs: [{ to: 'ops@example.com', from: 'hearth@example.com', smarthost: `127.0.0.1:${port}`, require_tls: false, auth_username: 'hearth', auth_password: new Secret('mail-secret'), ...extra }] }],
      errors,
    );
    expect(errors).toEqual([]);
    return receivers.get('ops')![0]!;
  }

  it('sends the notification with a templated subject and a text body', async () => {
    await emailReceiver().send(notification(), AbortSignal.timeout(5000));
    const mail = mails.at(-1)!;
    expect(mail).toMatchObject({ from: 'hearth@example.com', to: ['ops@example.com'], user: 'hearth' });
    expect(mail.raw).toMatch(/^Subject: \[FIRING:1\] DiskAlmostFull$/m);
    expect(mail.raw).toContain('[FIRING] DiskAlmostFull: The data disk of services is over 90% full');
    expect(mail.raw).toContain('host = services');
  });

  it('uses a configured Subject header template, and reports a transient refusal as retryable', async () => {
    refuse = 1;
    const integration = emailReceiver({ headers: { Subject: 'Hearth: {{ .CommonLabels.alertname }} is {{ .Status }}' } });
    const failure = await integration.send(notification(), AbortSignal.timeout(5000)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NotifyError);
    expect((failure as NotifyError).retryable).toBe(true);
    await integration.send(notification(T0 + 30_000), AbortSignal.timeout(5000));
    expect(mails.at(-1)!.raw).toMatch(/^Subject: Hearth: DiskAlmostFull is resolved$/m);
  });
});

describe('chat integrations', () => {
  let hook: WebhookReceiver;
  beforeAll(async () => {
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    await hook.close();
  });

  it('post a Slack attachment, a Discord embed and an ntfy message, each templated', async () => {
    const errors: string[] = [];
    const receivers = buildReceivers(
      [
        {
          name: 'chat',
          slack_configs: [{ api_url: `${hook.url}/slack`, channel: '#ops', text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}' }],
          discord_configs: [{ webhook_url: `${hook.url}/discord` }],
          ntfy_configs: [{ url: `${hook.url}/ntfy`, tags: ['hearth'] }],
        },
      ],
      errors,
    );
    expect(errors).toEqual([]);
    for (const integration of receivers.get('chat')!) await integration.send(notification(), AbortSignal.timeout(5000));
    const byPath = Object.fromEntries(hook.received.map((r) => [r.path, r]));
    expect(byPath['/slack']!.body).toEqual({
      channel: '#ops',
      attachments: [{ color: 'danger', title: '[FIRING:1] DiskAlmostFull', fallback: '[FIRING:1] DiskAlmostFull', text: 'The data disk of services is over 90% full', mrkdwn_in: ['text'] }],
    });
    expect(byPath['/discord']!.body).toMatchObject({ embeds: [{ title: '[FIRING:1] DiskAlmostFull', color: 0xe74c3c }] });
    expect(JSON.stringify(byPath['/discord']!.body)).toContain('Only 7.5% is free.');
    expect(byPath['/ntfy']!.headers).toMatchObject({ title: '[FIRING:1] DiskAlmostFull', priority: 'high', tags: 'rotating_light,hearth' });
    expect(byPath['/ntfy']!.raw).toContain('[FIRING] DiskAlmostFull: The data disk of services is over 90% full');
  });

  it('reject a template that does not parse, naming where it is', () => {
    const errors: string[] = [];
    buildReceivers([{ name: 'chat', slack_configs: [{ api_url: 'https://hooks.slack.test/x', title: '{{ if .Status }}open' }] }], errors);
    expect(errors).toEqual(['receivers.chat.slack_configs[0].title: missing {{end}}']);
  });
});
