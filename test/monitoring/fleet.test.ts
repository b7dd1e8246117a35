/**
 * The story of a self-hoster's fleet: a real services host scraped by a real monitoring host,
 * both booted from one host file. The monitoring host runs on a ManualClock and is driven with
 * tick(); scrapes, webhooks, the API and the CLI are real HTTP.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/services/clock.js';
import { generateToken, hashToken } from '../../core/services/tokens.js';
import type { MonitoringInstance } from '../../plugins/monitoring/index.js';
import { bootHost, type BootedHost } from '../helpers/bootHost.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { runCli } from '../helpers/runCli.js';
import { startWebhookReceiver, type WebhookReceiver } from './alertingHarness.js';

const SCRAPE_INTERVAL_S = 15;
const HOST_DOWN_FOR_S = 60;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Static targets that misbehave: one hangs, one answers garbage, one answers 50 MB. */
async function startBadTargets(): Promise<{ url: string; close(): Promise<void> }> {
  const open = new Set<ServerResponse>();
  const megabyte = Buffer.alloc(1024 * 1024, 'filler_total 1\n');
  const server: Server = createServer((req, res) => {
    res.on('error', () => undefined);
    if (req.url === '/hang') return void open.add(res);
    if (req.url === '/garbage') return void res.end('<html>\u0000\u0001 oops {{{ not metrics');
    let sent = 0;
    const pump = (): void => {
      while (sent < 50 && res.write(megabyte)) sent++;
      if (sent < 50) res.once('drain', pump);
      else res.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a monitoring host watching a services host', () => {
  const clock = new ManualClock(Date.parse('2025-06-01T10:00:00Z'));
  const adminToken = generateToken();
  const readToken = generateToken();
  const siteToken = generateToken();
  let hook: WebhookReceiver;
  let bad: Awaited<ReturnType<typeof startBadTargets>>;
  let yaml = '';
  let dir = '';
  let services: BootedHost;
  let monitoring: BootedHost;
  let instance: MonitoringInstance;
  let servicesPort = 0;

  const advance = async (seconds: number): Promise<void> => {
    clock.advance(seconds * 1000);
    await instance.tick();
  };
  const api = (path: string, token = readToken, init: RequestInit = {}): Promise<Response> =>
    fetch(`${monitoring.url}/monitoring${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

  beforeAll(async () => {
    hook = await startWebhookReceiver();
    bad = await startBadTargets();
    servicesPort = await freePort();
    yaml = `
hosts:
  services:
    address: 127.0.0.1
    port: ${servicesPort}
    plugins: {}
  monitoring:
    address: 127.0.0.1
    port: ${await freePort()}
    plugins:
      monitoring:
        targets: [services, monitoring]
        staticTargets:
          - { url: "${bad.url}/hang", job: hanging }
          - { url: "${bad.url}/garbage", job: garbage }
          - { url: "${bad.url}/huge", job: huge }
        scrape: { intervalMs: ${SCRAPE_INTERVAL_S * 1000}, timeoutMs: 400, bodyLimitBytes: 4194304 }
        route:
          receiver: ops
          group_by: [alertname, host]
          group_wait: 0s
          group_interval: 30s
          routes:
            - matchers: ['alertname="TargetDown"']
              receiver: quiet
        receivers:
          - name: ops
            webhook_configs: [{ url: "${hook.url}/ops" }]
          - name: quiet
sites:
  example.com: {}
tokens:
  ops: { hash: "${hashToken(adminToken)}", sites: ["*"], scopes: [admin] }
  viewer: { hash: "${hashToken(readToken)}", sites: ["*"], scopes: [read] }
  site: { hash: "${hashToken(siteToken)}", sites: [example.com], scopes: [admin] }
`;
    services = await bootHost(yaml, { host: 'services' });
    dir = services.dir;
    monitoring = await bootHost(yaml, { host: 'monitoring', dir, clock });
    instance = monitoring.host.instance<MonitoringInstance>('monitoring')!;
    await instance.tick();
  });
  afterAll(async () => {
    await monitoring?.stop();
    await services?.stop();
    await bad?.close();
    await hook?.close();
  });

  it('sees the services host up and the misbehaving targets down, each with its reason', async () => {
    const answer = (await (await api('/api/v1/targets')).json()) as { data: { activeTargets: { name: string; health: string; lastError: string }[] } };
    const byName = Object.fromEntries(answer.data.activeTargets.map((t) => [t.name, t]));
    expect(byName.services).toMatchObject({ health: 'up', lastError: '' });
    expect(byName.monitoring).toMatchObject({ health: 'up' });
    expect(byName[`${bad.url}/hang`]).toMatchObject({ health: 'down', lastError: expect.stringMatching(/context deadline exceeded/) });
    expect(byName[`${bad.url}/garbage`]).toMatchObject({ health: 'down', lastError: expect.stringMatching(/^not the Prometheus text format: line 1/) });
    expect(byName[`${bad.url}/huge`]).toMatchObject({ health: 'down', lastError: 'body exceeds the limit of 4194304 bytes' });
    expect((await fetch(`${monitoring.url}/healthz`)).status).toBe(200);
  });

  it('sends a HostDown webhook within for + interval of the services host stopping', async () => {
    await services.stop();
    const stoppedAt = clock.now().getTime();
    let waited = 0;
    while (hook.received.length === 0 && waited < 5 * 60) {
      await advance(SCRAPE_INTERVAL_S);
      waited += SCRAPE_INTERVAL_S;
    }
    expect(waited).toBeLessThanOrEqual(HOST_DOWN_FOR_S + SCRAPE_INTERVAL_S);
    expect(hook.received).toHaveLength(1);
    const message = hook.received[0]!;
    expect(message.path).toBe('/ops');
    const body = message.body as unknown as Record<string, unknown>;
    expect(body.version).toBe('4');
    expect(body.status).toBe('firing');
    expect(body.receiver).toBe('ops');
    expect(body.groupKey).toBe('{}:{alertname="HostDown", host="services"}');
    expect(body.truncatedAlerts).toBe(0);
    expect(body.externalURL).toBe(`${monitoring.url}/monitoring`);
    expect(body.groupLabels).toEqual({ alertname: 'HostDown', host: 'services' });
    const labels = { alertname: 'HostDown', host: 'services', instance: `127.0.0.1:${servicesPort}`, job: 'hearth', severity: 'critical' };
    expect(body.commonLabels).toEqual(labels);
    expect(body.commonAnnotations).toMatchObject({ summary: 'Hearth host services is down' });
    const [alert] = body.alerts as Record<string, unknown>[];
    expect(alert).toEqual({
      status: 'firing',
      labels,
      annotations: body.commonAnnotations,
      startsAt: new Date(stoppedAt + waited * 1000).toISOString().replace('.000Z', 'Z'),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: `${monitoring.url}/monitoring/api/v1/query?query=${encodeURIComponent('up{job="hearth"} == 0')}`,
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('lists the alert in the API, on the status page and with `hearth alerts`', async () => {
    const alerts = (await (await api('/api/v1/alerts')).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
    expect(alerts.data.alerts.filter((a) => a.state === 'firing').map((a) => a.labels.alertname)).toContain('HostDown');
    const page = await fetch(`${monitoring.url}/monitoring/`, { headers: { authorization: `Basic ${Buffer.from(`me:${readToken}`).toString('base64')}` } });
    const html = await page.text();
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('HostDown');
    expect(html).toMatch(/<td>services<\/td><td><code>127\.0\.0\.1:\d+<\/code><\/td><td><span class="down">down<\/span>/);
    expect(html).toContain('Last backup');
    expect(html).not.toMatch(/<(script|link|img)\b|src=|url\(/i);
    const cli = await runCli(['alerts', '-f', join(dir, 'hosts.yaml'), '--host', 'monitoring'], { env: { HEARTH_TOKEN: readToken } });
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(/^firing\s+HostDown\s+\S+\s+host=services instance=127\.0\.0\.1:\d+ job=hearth severity=critical\s+Hearth host services is down$/m);
  });

  it('sends the resolved webhook once the services host is back', async () => {
    services = await bootHost(yaml, { host: 'services', dir });
    let waited = 0;
    while (hook.received.length < 2 && waited < 5 * 60) {
      await advance(SCRAPE_INTERVAL_S);
      waited += SCRAPE_INTERVAL_S;
    }
    expect(hook.received.map((r) => r.body.status)).toEqual(['firing', 'resolved']);
    const [alert] = hook.received[1]!.body.alerts as unknown as Record<string, string>[];
    expect(alert).toMatchObject({ status: 'resolved', labels: { alertname: 'HostDown', host: 'services' } });
    expect(Date.parse(alert!.endsAt!)).toBeGreaterThan(Date.parse(alert!.startsAt!));
  });

  it('silences from the CLI mute the next HostDown, and expire', async () => {
    const cli = (args: string[]) => runCli([...args, '-f', join(dir, 'hosts.yaml'), '--host', 'monitoring'], { env: { HEARTH_TOKEN: adminToken } });
    const added = await cli(['silence', 'add', 'alertname=HostDown', 'host=~"serv.*"', '--duration', '2h', '--comment', 'moving the VPS', '--author', 'ana']);
    expect(added.stderr).toBe('');
    const id = added.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await cli(['silence', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+active\\s+\\S+\\s+alertname="HostDown",host=~"serv\\.\\*"\\s+ana\\s+moving the VPS$`, 'm'));
    const before = hook.received.length;
    await services.stop();
    for (let i = 0; i < 8; i++) await advance(SCRAPE_INTERVAL_S);
    expect(hook.received).toHaveLength(before);
    const alerts = (await (await api('/api/v1/alerts')).json()) as { data: { alerts: { labels: Record<string, string>; silencedBy: string[] }[] } };
    expect(alerts.data.alerts.find((a) => a.labels.alertname === 'HostDown')?.silencedBy).toEqual([id]);
    expect((await cli(['silence', 'expire', id])).stdout).toBe(`expired ${id}\n`);
    for (let i = 0; i < 3; i++) await advance(SCRAPE_INTERVAL_S);
    expect(hook.received.slice(before).map((r) => r.body.status)).toEqual(['firing']);
  });

  it('asks for a fleet token: read for looking, admin for silences', async () => {
    const anonymous = await fetch(`${monitoring.url}/monitoring/api/v1/alerts`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="Hearth monitoring"/);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('HEARTH_ERR_MONITORING_UNAUTHORIZED');
    expect((await api('/api/v1/alerts', siteToken)).status).toBe(403);
    const silence = { matchers: [{ name: 'alertname', value: 'X' }], endsAt: new Date(clock.now().getTime() + 3600_000).toISOString(), createdBy: 'a', comment: 'c' };
    const post = (token: string) => api('/api/v1/silences', token, { method: 'POST', body: JSON.stringify(silence), headers: { 'content-type': 'application/json' } });
    expect((await post(readToken)).status).toBe(403);
    expect((await post(adminToken)).status).toBe(200);
    const invalid = await api('/api/v1/silences', adminToken, { method: 'POST', body: JSON.stringify({ ...silence, matchers: [] }), headers: { 'content-type': 'application/json' } });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('HEARTH_ERR_MONITORING_SILENCE');
  });

  it('answers instant queries, and refuses PromQL it does not evaluate', async () => {
    const ok = (await (await api(`/api/v1/query?query=${encodeURIComponent('count by (job) (up == 0)')}`)).json()) as { data: { result: { metric: { job: string } }[] } };
    expect(ok.data.result.map((r) => r.metric.job).sort()).toEqual(['garbage', 'hanging', 'hearth', 'huge']);
    const refused = await api(`/api/v1/query?query=${encodeURIComponent('topk(1, up)')}`);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/aggregation 'topk' is not supported/);
  });

  it("serves /metrics that promtool accepts without a warning, its own series included", async () => {
    const body = await (await fetch(`${monitoring.url}/metrics`)).text();
    expect(body).toMatch(/^hearth_monitoring_targets\{health="down"\} 4$/m);
    expect(body).toMatch(/^hearth_monitoring_notifications_total\{integration="webhook"\} [1-9]/m);
    const verdict = await promtoolCheckMetrics(body);
    expect(verdict.output).toBe('');
    expect(verdict.code).toBe(0);
  });
});
