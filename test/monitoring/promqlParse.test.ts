import { describe, expect, it } from 'vitest';
import { makeLabels } from '../../plugins/monitoring/model/labels.js';
import { evaluate } from '../../plugins/monitoring/promql/evaluator.js';
import { parsePromQL, PromQLError } from '../../plugins/monitoring/promql/parse.js';
import { EvaluationError } from '../../plugins/monitoring/promql/values.js';
import { SeriesStore } from '../../plugins/monitoring/tsdb/seriesStore.js';

function parseError(expr: string): string {
  try {
    parsePromQL(expr);
  } catch (error) {
    expect(error).toBeInstanceOf(PromQLError);
    return (error as Error).message;
  }
  throw new Error(`'${expr}' parsed without error`);
}

describe('PromQL Hearth does not evaluate is refused when the rule loads, naming the construct', () => {
  it.each([
    ['topk(3, up)', /aggregation 'topk' is not supported.*sum, avg, min, max, count/],
    ['histogram_quantile(0.9, rate(x_bucket[5m]))', /function 'histogram_quantile' is not supported/],
    ['max_over_time(up[1h:5m])', /a subquery .* is not supported/],
    ['up @ 1609746000', /the @ modifier is not supported/],
    ['label_replace(up, "a", "b", "c", "d")', /function 'label_replace' is not supported/],
    ['up + on(job) fill(0) up', /'fill\(0\)' is not supported/],
  ])('%s', (expr, message) => {
    expect(parseError(expr)).toMatch(message);
  });
});

describe('PromQL that Prometheus itself rejects', () => {
  it.each([
    ['up{job="a"', /syntax error at character \d+/],
    ['1 > 2', /comparisons between scalars must use the bool modifier/],
    ['rate(up)', /expects a range vector as argument 1, got an instant vector/],
    ['sum(up[5m])', /expects an instant vector, got a range vector/],
    ['up + bool up', /bool modifier can only be used on comparison operators/],
    ['up and 1', /set operator 'and' is not allowed in binary scalar expression/],
    ['up and on(a) group_left up', /no grouping allowed for 'and'/],
    ['up * on(a) group_left(a) up', /label 'a' must not occur in ON and GROUP clause/],
    ['{job=~".*"}', /at least one matcher that does not match the empty string/],
    ['up{job=~"("}', /not a valid regular expression/],
    ['rate(up[5x])', /syntax error|not a positive duration/],
    ['rate(up[5m]) offset 1m', /offset must follow a vector or range selector/],
  ])('%s', (expr, message) => {
    expect(parseError(expr)).toMatch(message);
  });

  it('reads string literals with Go escapes (the rule loader refuses them as a result type)', () => {
    expect(parsePromQL('"a\\tb\\u00e9"')).toEqual({ kind: 'string', value: 'a\tb\u00e9' });
    expect(parsePromQL('`raw\\n`')).toEqual({ kind: 'string', value: 'raw\\n' });
  });
});

describe('evaluation details', () => {
  const store = new SeriesStore(24 * 3600_000);
  const up = (job: string): ReturnType<SeriesStore['getOrCreate']> => store.getOrCreate(makeLabels({ __name__: 'up', job }));
  up('a').append(0, 1);
  up('b').append(0, 1);
  up('b').append(60_000, 0);
  up('b').markStale(120_000);

  it('looks back five minutes for an instant selector, and a stale marker ends a series at once', () => {
    const at = (t: number): string[] => {
      const result = evaluate(parsePromQL('up'), { store, time: t });
      return result.type === 'vector' ? result.samples.map((s) => `${s.labels.job}=${s.v}`).sort() : [];
    };
    expect(at(60_000)).toEqual(['a=1', 'b=0']);
    expect(at(120_000)).toEqual(['a=1']);
    expect(at(300_000)).toEqual(['a=1']);
    expect(at(300_001)).toEqual([]);
  });

  it('reports duplicate series on the "one" side of a match as an evaluation error', () => {
    const expr = parsePromQL('up{job="a"} + ignoring(job) up');
    expect(() => evaluate(expr, { store, time: 60_000 })).toThrow(EvaluationError);
    expect(() => evaluate(expr, { store, time: 60_000 })).toThrow(/many-to-many matching not allowed/);
  });
});
