import { describe, expect, it } from 'vitest';
import { mergeOver } from '../../core/config/stageMerge.js';

describe('the stage merge rule', () => {
  it('merges maps key by key, recursively', () => {
    expect(mergeOver({ a: { b: 1, c: 2 }, d: 3 }, { a: { c: 20, e: 5 } })).toEqual({ a: { b: 1, c: 20, e: 5 }, d: 3 });
  });

  it('replaces lists whole instead of merging them by index', () => {
    expect(mergeOver({ list: [1, 2, 3] }, { list: [9] })).toEqual({ list: [9] });
  });

  it('replaces scalars, and a map by a scalar or a scalar by a map', () => {
    expect(mergeOver({ a: 1, b: { c: 1 }, d: 'x' }, { a: 2, b: 'flat', d: { e: 1 } })).toEqual({ a: 2, b: 'flat', d: { e: 1 } });
  });

  it('removes a key set to null', () => {
    expect(mergeOver({ a: 1, b: { c: 1, d: 2 } }, { a: null, b: { d: null } })).toEqual({ b: { c: 1 } });
  });

  it('leaves both inputs untouched', () => {
    const base = { a: { b: [1] } };
    const over = { a: { c: 2 } };
    const merged = mergeOver(base, over) as { a: { b: number[] } };
    merged.a.b.push(2);
    expect(base).toEqual({ a: { b: [1] } });
    expect(over).toEqual({ a: { c: 2 } });
  });
});
