import { describe, expect, it } from 'vitest';
import { makeLabels } from '../../plugins/monitoring/model/labels.js';
import { makeMatcher } from '../../plugins/monitoring/model/matcher.js';
import { HEAD_CAPACITY, Series } from '../../plugins/monitoring/tsdb/series.js';
import { SeriesStore } from '../../plugins/monitoring/tsdb/seriesStore.js';
import { decodeChunk, encodeChunk } from '../../plugins/monitoring/tsdb/xorChunk.js';

/** A deterministic pseudo-random sequence, so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('compressed chunks', () => {
  it('give back exactly the samples they were made from', () => {
    const next = random(42);
    const ts: number[] = [];
    const vs: number[] = [];
    let t = 1_700_000_000_000;
    const specials = [NaN, Infinity, -Infinity, 0, -0, Number.MAX_VALUE, Number.MIN_VALUE, 1e-300];
    for (let i = 0; i < 500; i++) {
      t += i % 50 === 0 ? Math.floor(next() * 10_000_000) : 15_000 + Math.floor(next() * 300) - 150;
      ts.push(t);
      vs.push(i % 37 === 0 ? specials[i % specials.length]! : i % 3 === 0 ? vs[vs.length - 1] ?? 1 : next() * 10 ** Math.floor(next() * 12));
    }
    const chunk = encodeChunk(ts, vs, ts.length);
    const outT: number[] = [];
    const outV: number[] = [];
    decodeChunk(chunk, outT, outV);
    expect(outT).toEqual(ts);
    expect(outV.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(vs.map((v) => (Object.is(v, -0) ? '-0' : String(v))));
  });

  it('store a regularly scraped, slowly changing series in about two bytes per sample', () => {
    const ts = Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const vs = Array.from({ length: 120 }, (_, i) => 1000 + Math.floor(i / 4));
    const chunk = encodeChunk(ts, vs, 120);
    expect(chunk.bytes.byteLength).toBeLessThan(2 * 120);
  });
});

describe('a series', () => {
  it('reads the newest sample within a window and ranges across sealed chunks', () => {
    const series = new Series(makeLabels({ __name__: 'x' }));
    const count = HEAD_CAPACITY * 3 + 10;
    for (let i = 0; i < count; i++) expect(series.append(i * 1000, i)).toBe(true);
    expect(series.chunks.length).toBe(3);
    expect(series.latest(0, 5_500)).toEqual({ t: 5000, v: 5 });
    expect(series.latest(200_000, 250_000)).toEqual({ t: 250_000, v: 250 });
    expect(series.latest(10_500, 10_900)).toBeUndefined();
    const outT: number[] = [];
    const outV: number[] = [];
    series.range(118_000, 122_000, outT, outV);
    expect(outV).toEqual([118, 119, 120, 121, 122]);
  });

  it('refuses samples that are not newer than the last one', () => {
    const series = new Series(makeLabels({ __name__: 'x' }));
    series.append(1000, 1);
    expect(series.append(1000, 2)).toBe(false);
    expect(series.append(500, 2)).toBe(false);
    expect(series.latest(0, 2000)).toEqual({ t: 1000, v: 1 });
  });

  it('ends at a stale marker but keeps real NaN samples', () => {
    const series = new Series(makeLabels({ __name__: 'x' }));
    series.append(1000, 1);
    series.append(2000, NaN);
    expect(Number.isNaN(series.latest(0, 2000)!.v)).toBe(true);
    series.markStale(3000);
    expect(series.latest(0, 3000)).toBeUndefined();
    expect(series.latest(0, 2500)!.t).toBe(2000);
    const outT: number[] = [];
    series.range(0, 5000, outT, []);
    expect(outT).toEqual([1000, 2000]);
    series.append(4000, 7);
    expect(series.latest(0, 4000)).toEqual({ t: 4000, v: 7 });
  });
});

describe('the series store', () => {
  it('selects by name and matchers, and drops what retention no longer covers', () => {
    const store = new SeriesStore(60_000);
    for (const job of ['api', 'web', 'db']) store.getOrCreate(makeLabels({ __name__: 'up', job })).append(1000, 1);
    store.getOrCreate(makeLabels({ __name__: 'other', job: 'api' })).append(1000, 1);
    const selected = store.select([makeMatcher('__name__', '=', 'up'), makeMatcher('job', '=~', 'a.*|w.*')]);
    expect(selected.map((s) => s.labels.job).sort()).toEqual(['api', 'web']);
    expect(store.select([makeMatcher('job', '=', 'api')])).toHaveLength(2);
    const kept = store.getOrCreate(makeLabels({ __name__: 'up', job: 'api' }));
    kept.append(100_000, 1);
    expect(store.truncate(120_000)).toBe(3);
    expect(store.size).toBe(1);
    expect(store.getOrCreate(makeLabels({ __name__: 'up', job: 'api' }))).toBe(kept);
  });

  it('keeps no reference to the scrape body a label value was cut from', () => {
    const body = `metric{path="/a/very/long/path/value/that/is/sliced"} 1\n${'#'.repeat(100_000)}`;
    const value = body.slice(13, 48);
    const store = new SeriesStore(60_000);
    const series = store.getOrCreate(makeLabels({ __name__: 'metric', path: value }));
    expect(series.labels.path).toBe(value);
  });
});
