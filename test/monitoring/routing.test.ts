import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertOf, makePipeline, startWebhookReceiver, summary, type WebhookReceiver } from './alertingHarness.js';

const T0 = Date.parse('2025-03-01T12:00:00Z');
const s = (seconds: number): number => T0 + seconds * 1000;

let hook: WebhookReceiver;
beforeEach(async () => {
  hook = await startWebhookReceiver();
});
afterEach(async () => {
  await hook.close();
});

const opsRoute = (extra: Record<string, unknown> = {}) => ({
  receiver: 'ops', group_by: ['alertname'], group_wait: '30s', group_interval: '5m', repeat_interval: '1h', ...extra,
});
const webhook = (name: string, path = name, extra: Record<string, unknown> = {}) => ({ name, webhook_configs: [{ url: `${hook.url}/${path}`, ...extra }] });

describe('grouping, as Alertmanager does it', () => {
  it('waits group_wait, then sends alerts that fired together in one notification', async () => {
    const p = await makePipeline({ route: opsRoute(), receivers: [webhook('ops')] });
    await p.step(s(0), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(0))]);
    await p.step(s(10), [alertOf({ alertname: 'HostDown', host: 'b' }, s(10), s(10))]);
    await p.step(s(29));
    expect(hook.received).toHaveLength(0);
    await p.step(s(30));
    expect(summary(hook.received)).toEqual(['firing [HostDown@a:firing, HostDown@b:firing]']);
    expect(hook.received[0]!.body.groupKey).toBe('{}:{alertname="HostDown"}');
  });

  it('holds a later alert of the group until the next group_interval', async () => {
    const p = await makePipeline({ route: opsRoute(), receivers: [webhook('ops')] });
    // The rules re-send firing alerts every minute, as Prometheus does.
    const a = (now: number) => alertOf({ alertname: 'HostDown', host: 'a' }, s(0), now);
    const b = (now: number) => alertOf({ alertname: 'HostDown', host: 'b' }, s(60), now);
    await p.step(s(0), [a(s(0))]);
    await p.step(s(30), [a(s(30))]);
    for (let t = 60; t < 330; t += 60) await p.step(s(t), [a(s(t)), b(s(t))]);
    expect(hook.received).toHaveLength(1);
    await p.step(s(330), [a(s(330)), b(s(330))]);
    expect(summary(hook.received)).toEqual(['firing [HostDown@a:firing]', 'firing [HostDown@a:firing, HostDown@b:firing]']);
  });

  it('sends an alert older than group_wait at once when its group is new', async () => {
    const p = await makePipeline({ route: opsRoute(), receivers: [webhook('ops')] });
    await p.step(s(100), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(100))]);
    expect(hook.received).toHaveLength(1);
  });

  it('repeats an unchanged group only after repeat_interval', async () => {
    const p = await makePipeline({ route: opsRoute(), receivers: [webhook('ops')] });
    const firing = (now: number) => [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), now)];
    await p.step(s(0), firing(s(0)));
    for (let t = 30; t <= 3630; t += 300) await p.step(s(t), firing(s(t)));
    // Flushes at 30 s (sent), then every 5 minutes: nothing new until an hour has passed.
    expect(hook.received).toHaveLength(1);
    await p.step(s(3630 + 300), firing(s(3930)));
    expect(hook.received).toHaveLength(2);
  });

  it('sends resolved notifications when the receiver wants them, then forgets the group', async () => {
    const p = await makePipeline({ route: opsRoute(), receivers: [webhook('ops')] });
    await p.step(s(0), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(0))]);
    await p.step(s(30));
    await p.step(s(100), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(100), s(100))]);
    await p.step(s(330));
    expect(summary(hook.received)).toEqual(['firing [HostDown@a:firing]', 'resolved [HostDown@a:resolved]']);
    expect(hook.received[1]!.body.alerts[0]).toMatchObject({ endsAt: '2025-03-01T12:01:40Z' });
    expect(p.dispatcher.groups).toHaveLength(0);
  });

  it('does not send resolved notifications with send_resolved: false, but a new firing is news again', async () => {
    const p = await makePipeline({ route: opsRoute(), receivers: [webhook('ops', 'ops', { send_resolved: false })] });
    await p.step(s(0), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(0))]);
    await p.step(s(30));
    await p.step(s(100), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(100), s(100))]);
    await p.step(s(330));
    await p.step(s(400), [alertOf({ alertname: 'HostDown', host: 'a' }, s(400), s(400))]);
    await p.step(s(430));
    expect(summary(hook.received)).toEqual(['firing [HostDown@a:firing]', 'firing [HostDown@a:firing]']);
  });
});

describe('the route tree', () => {
  it('sends to the deepest matching routes, to several with continue, with Alertmanager group keys', async () => {
    const p = await makePipeline({
      route: {
        receiver: 'ops', group_by: ['alertname', 'host'], group_wait: '0s',
        routes: [
          { matchers: ['severity="critical"'], receiver: 'pager', continue: true },
          { match_re: { host: 'db.*' }, receiver: 'dba' },
          { matchers: ['team="web"'], receiver: 'web', routes: [{ matchers: ['severity=~"warn.*"'], receiver: 'web-quiet', group_by: ['...'] }] },
        ],
      },
      receivers: [webhook('ops'), webhook('pager'), webhook('dba'), webhook('web'), webhook('web-quiet')],
    });
    await p.step(s(0), [
      alertOf({ alertname: 'HostDown', host: 'db1', severity: 'critical' }, s(0), s(0)),
      alertOf({ alertname: 'Slow', host: 'app', team: 'web', severity: 'warning' }, s(0), s(0)),
      alertOf({ alertname: 'Other', host: 'x' }, s(0), s(0)),
    ]);
    const byPath = Object.fromEntries(hook.received.map((r) => [r.path, r.body.groupKey]));
    expect(byPath).toEqual({
      '/pager': '{}/{severity="critical"}:{alertname="HostDown", host="db1"}',
      '/dba': '{}/{host=~"db.*"}:{alertname="HostDown", host="db1"}',
      '/web-quiet': '{}/{team="web"}/{severity=~"warn.*"}:{alertname="Slow", host="app", severity="warning", team="web"}',
      '/ops': '{}:{alertname="Other", host="x"}',
    });
  });
});

describe('inhibition', () => {
  it('mutes warnings for a host while it is down, and lets them through once it is back', async () => {
    const p = await makePipeline({
      route: opsRoute({ group_by: ['host'], group_wait: '0s', group_interval: '1m' }),
      receivers: [webhook('ops')],
      inhibit_rules: [{ source_matchers: ['alertname="HostDown"'], target_matchers: ['severity="warning"'], equal: ['host'] }],
    });
    const down = (now: number, resolvedAt?: number) => alertOf({ alertname: 'HostDown', host: 'a', severity: 'critical' }, s(0), now, resolvedAt);
    const disk = (now: number) => alertOf({ alertname: 'DiskAlmostFull', host: 'a', severity: 'warning' }, s(0), now);
    const otherDisk = (now: number) => alertOf({ alertname: 'DiskAlmostFull', host: 'b', severity: 'warning' }, s(0), now);
    await p.step(s(0), [down(s(0)), disk(s(0)), otherDisk(s(0))]);
    expect(summary(hook.received).sort()).toEqual(['firing [DiskAlmostFull@b:firing]', 'firing [HostDown@a:firing]']);
    await p.step(s(60), [down(s(60), s(60)), disk(s(60))]);
    expect(summary(hook.received).slice(2)).toEqual(['firing [DiskAlmostFull@a:firing, HostDown@a:resolved]']);
  });
});

describe('silences', () => {
  it('mute matching alerts until they expire, and are kept across a restart', async () => {
    const p = await makePipeline({ route: opsRoute({ group_wait: '0s', group_interval: '1m' }), receivers: [webhook('ops')] });
    const silence = await p.silences.add(
      { matchers: [{ name: 'host', value: 'a|b', isRegex: true }], endsAt: new Date(s(3600)).toISOString(), createdBy: 'ana', comment: 'maintenance' },
      s(0),
    );
    const firing = (now: number) => [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), now), alertOf({ alertname: 'HostDown', host: 'c' }, s(0), now)];
    await p.step(s(0), firing(s(0)));
    expect(summary(hook.received)).toEqual(['firing [HostDown@c:firing]']);

    const restarted = await makePipeline({ route: opsRoute({ group_wait: '0s', group_interval: '1m' }), receivers: [webhook('ops')], dir: p.dir });
    expect(restarted.silences.mutedBy({ alertname: 'HostDown', host: 'a' }, s(60))).toEqual([silence.id]);
    await restarted.step(s(60), firing(s(60)));
    expect(hook.received).toHaveLength(1);
    await restarted.silences.expire(silence.id, s(90));
    await restarted.step(s(120), firing(s(120)));
    expect(summary(hook.received).slice(1)).toEqual(['firing [HostDown@a:firing, HostDown@c:firing]']);
  });

  it.each([
    [{ matchers: [], endsAt: '2030-01-01T00:00:00Z', createdBy: 'a', comment: 'c' }, /at least one matcher/],
    [{ matchers: [{ name: 'job', value: '.*', isRegex: true }], endsAt: '2030-01-01T00:00:00Z', createdBy: 'a', comment: 'c' }, /must not match the empty string/],
    [{ matchers: [{ name: 'job', value: '(', isRegex: true }], endsAt: '2030-01-01T00:00:00Z', createdBy: 'a', comment: 'c' }, /not a valid regular expression/],
    [{ matchers: [{ name: 'job', value: 'x' }], endsAt: '2020-01-01T00:00:00Z', createdBy: 'a', comment: 'c' }, /must be after 'startsAt'/],
    [{ matchers: [{ name: 'job', value: 'x' }], endsAt: 'tomorrow', createdBy: 'a', comment: 'c' }, /RFC 3339/],
    [{ matchers: [{ name: 'job', value: 'x' }], endsAt: '2030-01-01T00:00:00Z', createdBy: 'a', comment: '' }, /'comment' is required/],
    [{ matchers: [{ name: 'bad-name', value: 'x' }], endsAt: '2030-01-01T00:00:00Z', createdBy: 'a', comment: 'c' }, /not a label name/],
  ])('refuse an invalid silence (%#)', async (input, message) => {
    const p = await makePipeline({ route: opsRoute(), receivers: [webhook('ops')] });
    await expect(p.silences.add(input, s(0))).rejects.toThrow(message);
  });
});

describe('the notification log', () => {
  it('keeps a restart from repeating a notification', async () => {
    const config = { route: opsRoute(), receivers: [webhook('ops')] };
    const p = await makePipeline(config);
    await p.step(s(0), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(0))]);
    await p.step(s(30));
    expect(hook.received).toHaveLength(1);
    const restarted = await makePipeline({ ...config, dir: p.dir });
    // The rules re-send the firing alert; it is older than group_wait, so its new group flushes at once.
    await restarted.step(s(60), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(60))]);
    await restarted.step(s(360), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(360))]);
    expect(hook.received).toHaveLength(1);
  });

  it('retries a failing receiver with backoff, and keeps the queued message across a restart', async () => {
    const config = { route: opsRoute({ group_wait: '0s' }), receivers: [webhook('ops')] };
    const p = await makePipeline(config);
    hook.failNext.push(500, 503);
    await p.step(s(0), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(0))]);
    expect(p.log.jobs()).toMatchObject([{ attempts: 1, nextAttemptAt: s(1) }]);
    await p.step(s(1));
    expect(p.log.jobs()).toMatchObject([{ attempts: 2, nextAttemptAt: s(3) }]);
    const restarted = await makePipeline({ ...config, dir: p.dir });
    await restarted.step(s(2));
    expect(hook.received).toHaveLength(0);
    await restarted.step(s(3));
    expect(summary(hook.received)).toEqual(['firing [HostDown@a:firing]']);
    expect(restarted.log.jobs()).toEqual([]);
    await restarted.step(s(4), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(4))]);
    await restarted.step(s(400), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(400))]);
    expect(hook.received).toHaveLength(1);
  });

  it('gives up on a message that is refused (4xx) and decides again at the next flush', async () => {
    const p = await makePipeline({ route: opsRoute({ group_wait: '0s', group_interval: '1m' }), receivers: [webhook('ops')] });
    hook.failNext.push(400);
    await p.step(s(0), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(0))]);
    expect(p.log.jobs()).toEqual([]);
    await p.step(s(60), [alertOf({ alertname: 'HostDown', host: 'a' }, s(0), s(60))]);
    expect(hook.received).toHaveLength(1);
  });
});
