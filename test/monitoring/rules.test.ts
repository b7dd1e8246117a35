import { describe, expect, it } from 'vitest';
import { makeLabels } from '../../plugins/monitoring/model/labels.js';
import { evaluate } from '../../plugins/monitoring/promql/evaluator.js';
import { parsePromQL } from '../../plugins/monitoring/promql/parse.js';
import { RuleEngine } from '../../plugins/monitoring/rules/ruleEngine.js';
import { loadRuleFileText, validateRuleGroups } from '../../plugins/monitoring/rules/ruleValidation.js';
import { DEFAULT_RULE_NAMES, DEFAULT_RULES } from '../../plugins/monitoring/defaultRules.js';
import { SeriesStore } from '../../plugins/monitoring/tsdb/seriesStore.js';

const MINUTE = 60_000;

describe('rule files', () => {
  it('report every problem with its group, rule and line', () => {
    const text = [
      'groups:', //                                      1
      '  - name: hosts', //                              2
      '    rules:', //                                   3
      '      - alert: Busy', //                          4
      '        expr: topk(3, rate(cpu_seconds_total[5m]))', // 5
      '      - alert: Down', //                          6
      '        expr: up == 0', //                        7
      '        for: five minutes', //                    8
      '        annotations:', //                         9
      '          summary: "{{ $labels.host | shout }}"', // 10
      '      - record: job:up:sum', //                   11
      '        expr: sum by (job) (up)', //              12
      '        for: 5m', //                              13
      '  - name: hosts', //                              14
      '    interval: 1x', //                             15
      '    rules:', //                                   16
      '      - alert: Fine', //                          17
      '        expr: up == 1', //                        18
      '        severity: high', //                       19
    ].join('\n');
    const { groups, errors } = loadRuleFileText(text, '/etc/hearth/rules.yml');
    expect(groups).toEqual([]);
    expect(errors).toEqual([
      "/etc/hearth/rules.yml:5: group 'hosts', alert 'Busy': expression 'topk(3, rate(cpu_seconds_total[5m]))': aggregation 'topk' is not supported by Hearth's evaluator (supported: sum, avg, min, max, count)",
      "/etc/hearth/rules.yml:8: group 'hosts', alert 'Down': for 'five minutes' is not a duration like 5m",
      "/etc/hearth/rules.yml:10: group 'hosts', alert 'Down': template of annotations.summary: function 'shout' is not defined",
      "/etc/hearth/rules.yml:13: group 'hosts', record 'job:up:sum': 'for' only applies to alerting rules",
      "/etc/hearth/rules.yml:14: group 'hosts': the name is used by another group",
      "/etc/hearth/rules.yml:15: group 'hosts': interval '1x' is not a positive duration",
      "/etc/hearth/rules.yml:19: group 'hosts', alert 'Fine': unknown field 'severity'",
    ]);
  });

  it('report broken YAML with its line', () => {
    const { errors } = loadRuleFileText('groups:\n  - name: a\n    rules: [\n', 'bad.yml');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^bad\.yml:\d+: /);
  });

  it("include Hearth's defaults, which all load", () => {
    const { groups, errors } = validateRuleGroups(DEFAULT_RULES, 'default rules');
    expect(errors).toEqual([]);
    expect(groups[0]!.rules.map((r) => r.name)).toEqual(DEFAULT_RULE_NAMES);
    expect(DEFAULT_RULE_NAMES).toEqual(expect.arrayContaining(['HostDown', 'BackupStale', 'BackupFailed', 'IntakeDropping', 'DeployFailed', 'DiskAlmostFull', 'HighHttpErrorRate']));
  });
});

describe('an alerting rule over time', () => {
  function engineFor(rules: object[], store: SeriesStore): RuleEngine {
    const { groups, errors } = validateRuleGroups({ groups: [{ name: 'g', rules }] }, 'test');
    expect(errors).toEqual([]);
    return new RuleEngine({ store, groups, defaultIntervalMs: MINUTE, externalURL: 'http://mon/monitoring', templates: { externalLabels: {}, externalURL: '' } });
  }

  it('goes pending, fires after `for`, is re-sent, resolves and is forgotten after 15 minutes', () => {
    const store = new SeriesStore(24 * 3600_000);
    const up = store.getOrCreate(makeLabels({ __name__: 'up', job: 'hearth', host: 'services' }));
    const engine = engineFor([{ alert: 'HostDown', expr: 'up == 0', for: '2m', annotations: { summary: '{{ $labels.host }} down ({{ $value }})' } }], store);
    const values = [1, 0, 0, 0, 0, 1];
    const sent: { minute: number; endsAt: number; startsAt: number; summary: string | undefined }[] = [];
    for (let minute = 0; minute < 25; minute++) {
      up.append(minute * MINUTE, values[minute] ?? 1);
      for (const alert of engine.evaluateDue(minute * MINUTE)) {
        sent.push({ minute, startsAt: alert.startsAt / MINUTE, endsAt: alert.endsAt / MINUTE, summary: alert.annotations.summary });
      }
    }
    expect(sent).toEqual([
      // Firing at minute 3 (pending since 1): it ends 4 intervals later unless re-sent.
      { minute: 3, startsAt: 3, endsAt: 3 + 4, summary: 'services down (0)' },
      // Resolved at minute 5: sent at once with its end, then re-sent (more than a minute apart,
      // as Prometheus does) until 15 minutes have passed.
      ...[5, 7, 9, 11, 13, 15, 17, 19].map((minute) => ({ minute, startsAt: 3, endsAt: 5, summary: 'services down (0)' })),
    ]);
    expect(engine.activeAlerts()).toEqual([]);
  });

  it('writes ALERTS series and marks them stale when the alert ends', () => {
    const store = new SeriesStore(24 * 3600_000);
    const up = store.getOrCreate(makeLabels({ __name__: 'up', job: 'j' }));
    const engine = engineFor([{ alert: 'Down', expr: 'up == 0', for: '1m' }], store);
    const alerts = (t: number): string[] => {
      const result = evaluate(parsePromQL('ALERTS'), { store, time: t });
      return result.type === 'vector' ? result.samples.map((s) => s.labels.alertstate!) : [];
    };
    up.append(0, 0);
    engine.evaluateDue(0);
    expect(alerts(0)).toEqual(['pending']);
    up.append(MINUTE, 0);
    engine.evaluateDue(MINUTE);
    expect(alerts(MINUTE)).toEqual(['firing']);
    up.append(2 * MINUTE, 1);
    engine.evaluateDue(2 * MINUTE);
    expect(alerts(2 * MINUTE)).toEqual([]);
  });

  it('lets recording rules feed alerting rules in the same group', () => {
    const store = new SeriesStore(24 * 3600_000);
    for (const [i, code] of ['200', '500'].entries()) {
      const series = store.getOrCreate(makeLabels({ __name__: 'requests_total', code }));
      for (let m = 0; m <= 5; m++) series.append(m * MINUTE, m * (i === 0 ? 60 : 30));
    }
    const engine = engineFor(
      [
        { record: 'code:requests:rate5m', expr: 'sum by (code) (rate(requests_total[5m]))' },
        { alert: 'Errors', expr: 'code:requests:rate5m{code="500"} > 0.4', labels: { severity: 'page' } },
      ],
      store,
    );
    const sent = engine.evaluateDue(5 * MINUTE);
    expect(sent.map((a) => a.labels)).toEqual([{ alertname: 'Errors', code: '500', severity: 'page' }]);
  });

  it('survives a restart with its alerts still firing since the same time', () => {
    const store = new SeriesStore(24 * 3600_000);
    const up = store.getOrCreate(makeLabels({ __name__: 'up', job: 'j' }));
    const rules = [{ alert: 'Down', expr: 'up == 0', for: '1m' }];
    const before = engineFor(rules, store);
    for (let m = 0; m < 3; m++) {
      up.append(m * MINUTE, 0);
      before.evaluateDue(m * MINUTE);
    }
    const saved = JSON.parse(JSON.stringify(before.snapshot())) as ReturnType<RuleEngine['snapshot']>;
    const after = engineFor(rules, store);
    after.restore(saved);
    up.append(3 * MINUTE, 0);
    const [alert] = after.evaluateDue(3 * MINUTE);
    expect(alert!.startsAt).toBe(MINUTE);
    expect(after.activeAlerts()[0]!.alert.state).toBe('firing');
  });
});
