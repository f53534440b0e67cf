import { describe, expect, it } from 'vitest';
import { LazyMap } from './lazy-map';

describe('LazyMap', () => {
  it('computes a deferred value once, at its first read', () => {
    let calls = 0;
    const m = new LazyMap<string, number>();
    m.defer('a', () => ++calls * 10);
    expect(calls).toBe(0);
    expect(m.has('a')).toBe(true);
    expect(m.size).toBe(1);
    expect(m.get('a')).toBe(10);
    expect(m.get('a')).toBe(10);
    expect(calls).toBe(1);
  });

  it('iterates like an eager Map: every value, in the order the keys were set or deferred', () => {
    const m = new LazyMap<string, number>();
    m.defer('a', () => 1);
    m.set('b', 2);
    m.defer('c', () => 3);
    expect(m.get('c')).toBe(3);
    expect([...m]).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const seen: string[] = [];
    m.forEach((v, k) => seen.push(`${k}${v}`));
    expect(seen).toEqual(['a1', 'b2', 'c3']);
    expect([...m.values()]).toEqual([1, 2, 3]);
  });

  it('a set or delete overrides a deferred value, which is then never computed', () => {
    const m = new LazyMap<string, number>();
    m.defer('a', () => {
      throw new Error('not to be computed');
    });
    m.defer('b', () => {
      throw new Error('not to be computed');
    });
    m.set('a', 5);
    expect(m.delete('b')).toBe(true);
    expect(m.has('b')).toBe(false);
    expect([...m.entries()]).toEqual([['a', 5]]);
  });
});
