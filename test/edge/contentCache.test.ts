import { describe, expect, it } from 'vitest';
import { ContentCache } from '../../plugins/edge/serve/contentCache.js';

const bytes = (size: number): Buffer => Buffer.alloc(size, 1);

describe('the edge memory cache', () => {
  it('makes room by dropping the files least recently served, within its byte bound', () => {
    const cache = new ContentCache(300);
    cache.set('a', bytes(100));
    cache.set('b', bytes(100));
    cache.set('c', bytes(100));
    expect(cache.get('a')).toBeDefined(); // a is now the most recently used
    cache.set('d', bytes(100));
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')].every((content) => content !== undefined)).toBe(true);
    expect(cache.bytes).toBe(300);
  });

  it('keeps a hot entry through a stream of other files once it has been hit again', () => {
    const cache = new ContentCache(10 * 100);
    cache.set('hot', bytes(100));
    for (let file = 0; file < 200; file++) {
      cache.set(`cold-${file}`, bytes(100));
      expect(cache.get('hot'), `after ${file} cold files`).toBeDefined();
    }
    expect(cache.size).toBe(10);
  });

  it('does not keep content larger than the whole cache', () => {
    const cache = new ContentCache(100);
    cache.set('big', bytes(101));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
