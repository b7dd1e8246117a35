import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlert, type Alert } from '../../plugins/monitoring/alerting/alert.js';
import { labelSetString } from '../../plugins/monitoring/alerting/dispatcher.js';
import { buildNotificationData } from '../../plugins/monitoring/alerting/notificationData.js';
import { buildRouteTree } from '../../plugins/monitoring/alerting/route.js';
import { makeLabels } from '../../plugins/monitoring/model/labels.js';
import { encodeWebhookPayload } from '../../plugins/monitoring/receivers/webhookPayload.js';
import { postAlerts, startAlertmanager, type RunningAlertmanager } from './alertmanagerProcess.js';
import { startWebhookReceiver, type WebhookReceiver } from './alertingHarness.js';

const EXTERNAL_URL = 'http://mon.example:8081/monitoring';
const base = { alertname: 'HostDown', host: 'services', job: 'hearth', severity: 'critical' };

function alerts(startsAt: number, endsAt: number): Alert[] {
  return [
    makeAlert({
      labels: makeLabels({ ...base, instance: '127.0.0.1:8080' }),
      annotations: makeLabels({ summary: 'Hearth host services is down <&>', description: 'a "quoted"\nline\u0001 é \u2028' }),
      startsAt, endsAt, generatorURL: 'http://mon.example/q?a=1&b=<2>', updatedAt: startsAt,
    }),
    makeAlert({ labels: makeLabels({ ...base, instance: '127.0.0.1:9090' }), annotations: makeLabels({ summary: 'other' }), startsAt, endsAt, generatorURL: '', updatedAt: startsAt }),
  ];
}

function groupKeyOf(receiver: string): string {
  const errors: string[] = [];
  const root = buildRouteTree({ receiver, group_by: ['alertname', 'host'], routes: [{ matchers: ['severity="critical"'], receiver }] }, new Set([receiver]), errors);
  expect(errors).toEqual([]);
  return `${root.routes[0]!.key}:${labelSetString(makeLabels({ alertname: 'HostDown', host: 'services' }))}`;
}

describe('the webhook message', () => {
  it("is Alertmanager's version 4 payload, field by field", () => {
    const startsAt = Date.parse('2025-01-01T00:01:15.250Z');
    const data = buildNotificationData('ops.team', groupKeyOf('ops.team'), makeLabels({ alertname: 'HostDown', host: 'services' }), alerts(startsAt, 0), startsAt + 1000, EXTERNAL_URL);
    const text = encodeWebhookPayload(data);
    expect(text.endsWith('}\n')).toBe(true);
    const payload = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(['receiver', 'status', 'alerts', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
    expect(payload.version).toBe('4');
    expect(payload.groupKey).toBe('{}/{severity="critical"}:{alertname="HostDown", host="services"}');
    expect(payload.truncatedAlerts).toBe(0);
    expect(payload.status).toBe('firing');
    expect(payload.receiver).toBe('ops\\.team');
    expect(payload.groupLabels).toEqual({ alertname: 'HostDown', host: 'services' });
    expect(payload.commonLabels).toEqual(base);
    expect(payload.commonAnnotations).toEqual({});
    expect(payload.externalURL).toBe(EXTERNAL_URL);
    const [first] = payload.alerts as Record<string, unknown>[];
    expect(Object.keys(first!)).toEqual(['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
    expect(first).toEqual({
      status: 'firing',
      labels: { ...base, instance: '127.0.0.1:8080' },
      annotations: { description: 'a "quoted"\nline\u0001 é \u2028', summary: 'Hearth host services is down <&>' },
      startsAt: '2025-01-01T00:01:15.25Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://mon.example/q?a=1&b=<2>',
      // The fingerprint Alertmanager 0.25 computed for these labels.
      fingerprint: 'f42e40284034cc57',
    });
    expect(text).toContain('"summary":"Hearth host services is down \\u003c\\u0026\\u003e"');
  });

  it('reports alerts left out by max_alerts in truncatedAlerts, and resolved alerts with their end', () => {
    const startsAt = Date.parse('2025-01-01T00:00:00Z');
    const endsAt = Date.parse('2025-01-01T00:10:00Z');
    const data = buildNotificationData('ops', 'k', makeLabels({}), alerts(startsAt, endsAt), endsAt + 1, EXTERNAL_URL, 1);
    const payload = JSON.parse(encodeWebhookPayload(data)) as { status: string; truncatedAlerts: number; alerts: { status: string; endsAt: string }[] };
    expect(payload.status).toBe('resolved');
    expect(payload.truncatedAlerts).toBe(1);
    expect(payload.alerts).toMatchObject([{ status: 'resolved', endsAt: '2025-01-01T00:10:00Z' }]);
  });
});

describe('compared with a real Alertmanager 0.25', () => {
  let hook: WebhookReceiver;
  let alertmanager: RunningAlertmanager;
  beforeAll(async () => {
    hook = await startWebhookReceiver();
    alertmanager = await startAlertmanager(
      {
        route: {
          receiver: 'ops', group_by: ['alertname', 'host'], group_wait: '0s', group_interval: '1s',
          routes: [{ matchers: ['severity="critical"'], receiver: 'ops' }],
        },
        receivers: [{ name: 'ops', webhook_configs: [{ url: `${hook.url}/am`, send_resolved: true }] }],
      },
      EXTERNAL_URL,
    );
  });
  afterAll(async () => {
    await alertmanager?.stop();
    await hook?.close();
  });

  async function received(count: number): Promise<string> {
    for (let i = 0; i < 100 && hook.received.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hook.received.length).toBeGreaterThanOrEqual(count);
    return hook.received[count - 1]!.raw;
  }

  it('sends byte for byte the same firing and resolved messages', async () => {
    // Alertmanager runs on the wall clock: the alerts start a minute ago.
    const startsAt = Math.floor(Date.now() / 1000) * 1000 - 60_000 + 250;
    const sent = alerts(startsAt, 0);
    const asPosted = (list: Alert[], endsAt: number) =>
      list.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: new Date(a.startsAt).toISOString(), endsAt: new Date(endsAt).toISOString(), generatorURL: a.generatorURL }));
    await postAlerts(alertmanager.url, asPosted(sent, Date.now() + 3600_000));
    const firing = await received(1);
    const ours = encodeWebhookPayload(buildNotificationData('ops', groupKeyOf('ops'), makeLabels({ alertname: 'HostDown', host: 'services' }), sent, Date.now(), EXTERNAL_URL));
    expect(ours).toBe(firing);

    const endsAt = Math.floor(Date.now() / 1000) * 1000 - 120;
    await postAlerts(alertmanager.url, asPosted(sent, endsAt));
    const resolved = await received(2);
    const ended = alerts(startsAt, endsAt);
    expect(encodeWebhookPayload(buildNotificationData('ops', groupKeyOf('ops'), makeLabels({ alertname: 'HostDown', host: 'services' }), ended, Date.now(), EXTERNAL_URL))).toBe(resolved);
  });
});
