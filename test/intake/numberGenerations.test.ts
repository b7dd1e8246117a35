import { describe, expect, it } from 'vitest';
import { NumberGenerations } from '../../plugins/intake/records/numberGenerations.js';

describe('the numeric caches behind visitor ids and request ids', () => {
  it('keeps every key of a stream that cycles through fewer keys than a generation, across growth', () => {
    const map = new NumberGenerations(50_000);
    for (let round = 0; round < 3; round++) {
      for (let key = 0; key < 40_000; key++) {
        const big = key * 0x100000 + 7 + 2 ** 50;
        if (round === 0) {
          expect(map.get(key % 3, big)).toBeUndefined();
          map.set(key % 3, big, key);
        } else expect(map.get(key % 3, big)).toBe(key);
      }
    }
  });

  it('remembers at least the last generation of keys through many turns of generations', () => {
    const entries = 5_000;
    const map = new NumberGenerations(entries);
    for (let key = 0; key < 8 * entries; key++) {
      map.set(1, key, key * 2);
      if (key % 1_000 === 999) {
        for (let back = key; back > key - entries && back >= 0; back--) expect(map.get(1, back)).toBe(back * 2);
      }
    }
    expect(map.get(1, 0)).toBeUndefined();
  });

  it('tells keys apart by tag, and forgets the older generation once the newer is full', () => {
    const map = new NumberGenerations(4);
    map.set(0, 1, 10);
    map.set(1, 1, 11);
    expect([map.get(0, 1), map.get(1, 1), map.get(2, 1)]).toEqual([10, 11, undefined]);
    for (let key = 100; key < 104; key++) map.set(0, key, key);
    expect(map.get(0, 1)).toBe(10);
    for (let key = 200; key < 205; key++) map.set(0, key, key);
    expect(map.get(0, 1)).toBeUndefined();
    expect(map.get(0, 204)).toBe(204);
    map.clear();
    expect(map.get(0, 204)).toBeUndefined();
  });
});
