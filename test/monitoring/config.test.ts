import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../../core/errors/HearthError.js';
import { ManualClock } from '../../core/services/clock.js';
import type { MonitoringInstance } from '../../plugins/monitoring/index.js';
import { bootHost } from '../helpers/bootHost.js';
import { startWebhookReceiver } from './alertingHarness.js';

describe('the monitoring config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-monitoring-config-'));
    await writeFile(
      join(dir, 'team.rules.yml'),
      ['groups:', '  - name: team', '    rules:', '      - alert: Slow', '        expr: histogram_quantile(0.99, rate(x_bucket[5m])) > 1', ''].join('\n'),
    );
    await writeFile(join(dir, 'ok.rules.yml'), ['groups:', '  - name: ok', '    rules:', '      - alert: Always', '        expr: vector(1)', ''].join('\n'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every problem at once when the host starts, each saying where it is', async () => {
    const yaml = `
hosts:
  monitoring:
    port: 0
    plugins:
      monitoring:
        targets: [services, monitoring]
        ruleFiles: [team.rules.yml, missing.rules.yml]
        rules:
          groups:
            - name: inline
              rules:
                - alert: Broken
                  expr: up ==
        route:
          receiver: nobody
          routes:
            - matchers: ['severity=~"("']
        receivers:
          - name: ops
        inhibit_rules:
          - target_matchers: ['severity="warning"']
`;
    const failure = await bootHost(yaml, { dir }).catch((error: unknown) => error);
    const text = describeError(failure);
    expect(text).toContain("plugin 'monitoring'");
    expect(text).toContain("the monitoring config of host 'monitoring' has 7 problem(s)");
    for (const fragment of [
      "targets: no host is named 'services'",
      "route.receiver: no receiver is named 'nobody' (have: ops)",
      "route.routes[0].matchers[0]: '(' is not a valid regular expression",
      'inhibit_rules[0]: needs source matchers',
      `${join(dir, 'team.rules.yml')}:5: group 'team', alert 'Slow': expression`,
      "function 'histogram_quantile' is not supported",
      `${join(dir, 'missing.rules.yml')}: cannot read the rule file`,
      "monitoring.rules: group 'inline', alert 'Broken': expression 'up ==': syntax error",
    ]) {
      expect(text).toContain(fragment);
    }
  });

  it('loads rule files next to the host file, with the defaults unless excluded, and pings the heartbeat', async () => {
    const clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
    const ping = await startWebhookReceiver();
    const host = await bootHost(
      `hosts:\n  monitoring:\n    port: 0\n    plugins:\n      monitoring:\n        targets: []\n        ruleFiles: [ok.rules.yml]\n` +
        `        defaultRules: { exclude: [BackupStale, DeployFailed] }\n        heartbeat: { url: "${ping.url}/ping/abc", intervalMs: 60000 }\n`,
      { dir, clock },
    );
    try {
      const monitoring = host.host.instance<MonitoringInstance>('monitoring')!;
      const names = monitoring.monitor.parts.rules.groups.flatMap((g) => g.rules.map((r) => r.spec.name));
      expect(names).toContain('Always');
      expect(names).toContain('HostDown');
      expect(names).not.toContain('BackupStale');
      expect(names).not.toContain('DeployFailed');
      await monitoring.tick();
      expect(monitoring.monitor.parts.rules.activeAlerts().map((a) => a.alert.labels.alertname)).toEqual(['Always']);
      expect(ping.received.map((r) => r.path)).toEqual(['/ping/abc']);
      clock.advance(45_000);
      await monitoring.tick();
      expect(ping.received).toHaveLength(1);
      clock.advance(15_000);
      await monitoring.tick();
      expect(ping.received).toHaveLength(2);
      const metrics = await (await fetch(`${host.url}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^hearth_monitoring_heartbeat_last_success_timestamp_seconds ${(clock.now().getTime() / 1000).toFixed(0)}$`, 'm'));
    } finally {
      await host.stop();
      await ping.close();
    }
  });
});
