/**
 * What the routing tests share: a real HTTP webhook receiver on loopback that records every body
 * (and can be told to fail), and the dispatch pipeline (routes, inhibition, silences, notification
 * log, notifier) over a real data directory, driven by explicit times instead of timers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { makeAlert, type Alert } from '../../plugins/monitoring/alerting/alert.js';
import { Dispatcher } from '../../plugins/monitoring/alerting/dispatcher.js';
import { Inhibitor, type InhibitRuleConfig } from '../../plugins/monitoring/alerting/inhibitor.js';
import { NotificationLog } from '../../plugins/monitoring/alerting/notificationLog.js';
import { Notifier } from '../../plugins/monitoring/alerting/notifier.js';
import { buildRouteTree, type RouteConfig } from '../../plugins/monitoring/alerting/route.js';
import { Silences } from '../../plugins/monitoring/alerting/silences.js';
import { makeLabels } from '../../plugins/monitoring/model/labels.js';
import { buildReceivers, type ReceiverConfig } from '../../plugins/monitoring/receivers/receivers.js';
import { StateFile } from '../../plugins/monitoring/state/stateFile.js';

/** A webhook message as received. */
export interface Received {
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly raw: string;
  readonly body: { status: string; receiver: string; groupKey: string; alerts: { status: string; labels: Record<string, string> }[]; [key: string]: unknown };
}

/** A local webhook receiver. */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: Received[];
  /** Statuses to answer with, in order, before answering 200 again. */
  readonly failNext: number[];
  close(): Promise<void>;
}

/** Starts a receiver on a free loopback port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const failNext: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = failNext.shift() ?? 200;
      if (status === 200) {
        const raw = Buffer.concat(chunks).toString('utf8');
        const json = (request.headers['content-type'] ?? '').startsWith('application/json');
        received.push({ path: request.url ?? '', headers: request.headers, raw, body: (json ? JSON.parse(raw) : {}) as Received['body'] });
      }
      response.writeHead(status).end(status === 200 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The dispatch pipeline under test. */
export interface Pipeline {
  readonly dir: string;
  readonly dispatcher: Dispatcher;
  readonly notifier: Notifier;
  readonly silences: Silences;
  readonly log: NotificationLog;
  /** Hands alerts in (if any), flushes what is due at `now`, delivers what is due, and settles. */
  step(now: number, alerts?: readonly Alert[]): Promise<void>;
}

/** Builds the pipeline from Alertmanager-style config over `dir` (a new temporary one by default). */
export async function makePipeline(config: {
  route: RouteConfig;
  receivers: ReceiverConfig[];
  inhibit_rules?: InhibitRuleConfig[];
  dir?: string;
}): Promise<Pipeline> {
  const dir = config.dir ?? (await mkdtemp(join(tmpdir(), 'hearth-alerting-')));
  const errors: string[] = [];
  const receivers = buildReceivers(config.receivers, errors);
  const route = buildRouteTree(config.route, new Set(receivers.keys()), errors);
  const inhibitor = new Inhibitor(config.inhibit_rules ?? [], errors);
  if (errors.length > 0) throw new Error(errors.join('\n'));
  const silences = await Silences.open(new StateFile(dir, 'silences.json'));
  const log = await NotificationLog.open(new StateFile(dir, 'notifications.json'));
  const notifier = new Notifier({ receivers, log, silences, inhibitor, externalURL: 'http://mon.example/monitoring', logger: pino({ level: 'silent' }), sendTimeoutMs: 5000 });
  const dispatcher = new Dispatcher(route, notifier);
  return {
    dir, dispatcher, notifier, silences, log,
    async step(now, alerts = []) {
      if (alerts.length > 0) dispatcher.receive(alerts, now);
      await dispatcher.flushDue(now);
      await Promise.all(notifier.startDue(now));
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** An alert as the rules send it: firing with an end a few minutes ahead, or resolved at `resolvedAt`. */
export function alertOf(labels: Record<string, string>, startsAt: number, now: number, resolvedAt?: number): Alert {
  return makeAlert({
    labels: makeLabels(labels), annotations: makeLabels({ summary: `${labels.alertname} on ${labels.host ?? '?'}` }),
    startsAt, endsAt: resolvedAt ?? now + 4 * 60_000, generatorURL: 'http://mon.example/monitoring/api/v1/query?query=up', updatedAt: now,
  });
}

/** A compact view of what a receiver got: `status [alertname@host:status, ...]`. */
export function summary(received: readonly Received[]): string[] {
  return received.map((r) => `${r.body.status} [${r.body.alerts.map((a) => `${a.labels.alertname}@${a.labels.host ?? ''}:${a.status}`).join(', ')}]`);
}
