/**
 * Cross-checks Hearth's PromQL evaluation and alert rules against real Prometheus: the same input
 * series are loaded into Hearth's store and written as a `promtool test rules` file whose expected
 * results are what Hearth computed. promtool then evaluates with Prometheus' engine and fails on
 * any difference.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { makeLabels, formatSeries } from '../../plugins/monitoring/model/labels.js';
import { SeriesStore } from '../../plugins/monitoring/tsdb/seriesStore.js';

/** One input series in promtool's notation: explicit values, `_` for none, `stale` for a stale marker. */
export interface InputSeries {
  readonly series: Record<string, string>;
  readonly values: readonly (number | '_' | 'stale')[];
}

/** promtool's default input interval. */
export const INPUT_INTERVAL_MS = 60_000;

/** Loads the input series into a store, sample i at i minutes after the epoch. */
export function storeOf(inputs: readonly InputSeries[]): SeriesStore {
  const store = new SeriesStore(365 * 24 * 3600_000);
  for (const input of inputs) {
    const series = store.getOrCreate(makeLabels(input.series));
    input.values.forEach((v, i) => {
      if (v === 'stale') series.markStale(i * INPUT_INTERVAL_MS);
      else if (v !== '_') series.append(i * INPUT_INTERVAL_MS, v);
    });
  }
  return store;
}

/** promtool's `input_series` entry for an input. */
function inputEntry(input: InputSeries): { series: string; values: string } {
  return { series: formatSeries(makeLabels(input.series)), values: input.values.map(String).join(' ') };
}

/** A float as YAML that Go parses to the same float64. */
export function yamlFloat(v: number): number | string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return v;
}

/** Writes the test file (and rule file) and runs `promtool test rules`; resolves with its verdict. */
export async function runPromtoolRulesTest(test: {
  readonly inputs: readonly InputSeries[];
  readonly ruleFile?: object;
  readonly evaluationInterval?: string;
  readonly promqlTests?: readonly { expr: string; eval_time: string; exp_samples: { labels: string; value: number | string }[] }[];
  readonly alertTests?: readonly { eval_time: string; alertname: string; exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] }[];
}): Promise<{ code: number | null; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-promtool-'));
  try {
    await writeFile(join(dir, 'rules.yml'), stringify(test.ruleFile ?? { groups: [] }));
    const file = {
      rule_files: ['rules.yml'],
      evaluation_interval: test.evaluationInterval ?? '1m',
      tests: [
        {
          interval: '1m',
          input_series: test.inputs.map(inputEntry),
          ...(test.promqlTests ? { promql_expr_test: test.promqlTests } : {}),
          ...(test.alertTests ? { alert_rule_test: test.alertTests } : {}),
        },
      ],
    };
    await writeFile(join(dir, 'test.yml'), stringify(file));
    return await new Promise((resolve, reject) => {
      const child = spawn('promtool', ['test', 'rules', 'test.yml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', (error) => reject(new Error(`promtool is not installed (apt-get install prometheus): ${error.message}`)));
      child.on('close', (code) => resolve({ code, output }));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
