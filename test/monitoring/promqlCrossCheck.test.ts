import { describe, expect, it } from 'vitest';
import { formatSeries } from '../../plugins/monitoring/model/labels.js';
import { evaluate } from '../../plugins/monitoring/promql/evaluator.js';
import { parsePromQL } from '../../plugins/monitoring/promql/parse.js';
import { RuleEngine } from '../../plugins/monitoring/rules/ruleEngine.js';
import { validateRuleGroups } from '../../plugins/monitoring/rules/ruleValidation.js';
import { INPUT_INTERVAL_MS, runPromtoolRulesTest, storeOf, yamlFloat, type InputSeries } from './promtoolRulesTest.js';

const _ = '_' as const;
const inputs: InputSeries[] = [
  // A counter with a reset between minutes 4 and 5.
  { series: { __name__: 'http_requests_total', job: 'api', instance: 'a', code: '200' }, values: [0, 10, 20, 30, 45, 5, 15, 25, 40, 60, 75, 90, 100] },
  { series: { __name__: 'http_requests_total', job: 'api', instance: 'a', code: '500' }, values: [0, 1, 1, 2, 3, 3, 4, 4, 4, 6, 7, 7, 9] },
  { series: { __name__: 'http_requests_total', job: 'api', instance: 'b', code: '200' }, values: [100, 110, 130, 160, 200, 250, 300, 301, 302, 350, 351, 400, 420] },
  // Gaps: samples missing for minutes 1, 2 and 7.
  { series: { __name__: 'http_requests_total', job: 'web', instance: 'c', code: '200' }, values: [5, _, _, 8, 9, 13, 21, _, 34, 55, 89, 144, 233] },
  { series: { __name__: 'up', job: 'api', instance: 'a' }, values: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0] },
  { series: { __name__: 'up', job: 'api', instance: 'b' }, values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
  { series: { __name__: 'up', job: 'web', instance: 'c' }, values: [0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0] },
  // A gauge that goes stale at minute 9 and comes back at 11.
  { series: { __name__: 'temperature', room: 'x' }, values: [21.5, 22.25, 22.75, 21.125, 20.5, 23.375, 24.5, 24.25, 22, 'stale', _, 19.75, 19.5] },
  { series: { __name__: 'temperature', room: 'y' }, values: [-3.5, -2.25, -1, 0.5, 1.75, 3, 2.5, 1.25, 0, -1.5, -2.75, -4, -5.25] },
  { series: { __name__: 'disk_free_bytes', instance: 'a' }, values: [500, 450, 400, 350, 300, 250, 200, 150, 100, 90, 80, 70, 60] },
  { series: { __name__: 'disk_size_bytes', instance: 'a' }, values: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000] },
  { series: { __name__: 'build_info', instance: 'a', version: '1.2.3' }, values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
  { series: { __name__: 'build_info', instance: 'b', version: '1.3.0' }, values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
];

const expressions = [
  'rate(http_requests_total[5m])',
  'increase(http_requests_total[5m])',
  'irate(http_requests_total[5m])',
  'idelta(temperature[5m])',
  'delta(temperature[5m])',
  'rate(http_requests_total[5m] offset 3m)',
  // Groups of at most two inexact values: Prometheus sums a group in no fixed order, and
  // floating-point addition of three or more values depends on the order.
  'sum by (instance) (rate(http_requests_total{job="api"}[5m]))',
  'sum without (instance, code) (http_requests_total)',
  'avg by (job) (up)',
  'min by (job) (http_requests_total)',
  'max without (code) (http_requests_total)',
  'count by (job) (up == 1)',
  'avg(temperature)',
  'avg_over_time(temperature[5m])',
  'min_over_time(temperature[5m])',
  'max_over_time(temperature[5m])',
  'sum_over_time(temperature[5m])',
  'count_over_time(temperature[5m])',
  'last_over_time(temperature[5m])',
  'temperature',
  'up == 0',
  'up == bool 0',
  'http_requests_total > 40',
  '40 < http_requests_total',
  '40 < bool http_requests_total',
  'up{job="api"} and on (instance) http_requests_total{code="500"}',
  'up{job="web"} or up{job="api"}',
  'up unless on (job) up{job="api"}',
  'sum by (job, instance) (rate(http_requests_total{code="500"}[5m])) / sum by (job, instance) (rate(http_requests_total[5m]))',
  'disk_free_bytes / disk_size_bytes < 0.3',
  'disk_free_bytes / ignoring (version) group_left (version) build_info',
  'build_info * on (instance) group_right (version) http_requests_total',
  'absent(nonexistent{job="x", env=~"p.*"})',
  'absent(up{job="api"})',
  'absent_over_time(nonexistent{job="y"}[5m])',
  '-temperature * 2 + 1',
  'http_requests_total % 7',
  '2 ^ up',
  'clamp_max(temperature, 22)',
  'clamp_min(abs(temperature), 1.5)',
  'ceil(temperature) - floor(temperature)',
  'vector(time()) - 60',
  'scalar(up{instance="b"}) * up',
  '{__name__=~"up|temperature", job!="web"}',
  'count without () (up offset 2m)',
];
const evalMinutes = [4, 6, 9, 10, 12];

describe('Hearth evaluates PromQL as Prometheus does', () => {
  it('gives the same results as promtool for every supported construct', async () => {
    const store = storeOf(inputs);
    const promqlTests = expressions.flatMap((expr) =>
      evalMinutes.map((minute) => {
        const result = evaluate(parsePromQL(expr), { store, time: minute * INPUT_INTERVAL_MS });
        const samples = result.type === 'scalar' ? [{ labels: {}, v: result.v }] : result.samples;
        return {
          expr,
          eval_time: `${minute}m`,
          exp_samples: samples.map((s) => ({ labels: formatSeries(s.labels), value: yamlFloat(s.v) })),
        };
      }),
    );
    expect(promqlTests.filter((t) => t.exp_samples.length > 0).length).toBeGreaterThan(150);
    const verdict = await runPromtoolRulesTest({ inputs, promqlTests });
    expect(verdict.output).toContain('SUCCESS');
    expect(verdict.code).toBe(0);
  });

  it('fires, keeps firing and templates alerts at the same times as Prometheus', async () => {
    const ruleFile = {
      groups: [
        {
          name: 'crosscheck',
          rules: [
            { alert: 'InstanceDown', expr: 'up == 0', for: '2m', labels: { severity: 'critical' }, annotations: { summary: '{{ $labels.instance }} of {{ $labels.job }} is down', value: '{{ $value }}' } },
            { alert: 'TooManyErrors', expr: 'rate(http_requests_total{code="500"}[5m]) * 60 > 0.5', keep_firing_for: '3m', annotations: { rate: '{{ $value | humanize }}/min', pct: '{{ humanizePercentage 0.123456 }}' } },
            { alert: 'DiskLow', expr: 'disk_free_bytes / disk_size_bytes < 0.2', for: '1m', labels: { team: 'ops-{{ $labels.instance }}' }, annotations: { free: '{{ printf "%.1f" $value }}' } },
          ],
        },
      ],
    };
    const { groups, errors } = validateRuleGroups(ruleFile, 'crosscheck');
    expect(errors).toEqual([]);
    const engine = new RuleEngine({
      store: storeOf(inputs), groups, defaultIntervalMs: INPUT_INTERVAL_MS, externalURL: 'http://localhost', templates: { externalLabels: {}, externalURL: '' },
    });
    const alertTests: { eval_time: string; alertname: string; exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] }[] = [];
    let firingSeen = 0;
    for (let minute = 0; minute <= 12; minute++) {
      engine.evaluateGroup(engine.groups[0]!, minute * INPUT_INTERVAL_MS);
      for (const rule of engine.groups[0]!.rules) {
        const firing = rule.alerting!.activeAlerts().filter((a) => a.state === 'firing');
        firingSeen += firing.length;
        alertTests.push({
          eval_time: `${minute}m`,
          alertname: rule.spec.name,
          exp_alerts: firing.map((a) => {
            const { alertname: _name, ...labels } = a.labels;
            return { exp_labels: labels, exp_annotations: { ...a.annotations } };
          }),
        });
      }
    }
    expect(firingSeen).toBeGreaterThan(10);
    const verdict = await runPromtoolRulesTest({ inputs, ruleFile, alertTests });
    expect(verdict.output).toContain('SUCCESS');
    expect(verdict.code).toBe(0);
  });
});
