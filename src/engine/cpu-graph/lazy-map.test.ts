import { describe, expect, it } from 'vitest';
import { LazyMap } from './lazy-map';

const never = (): number => {
  throw new Error('not to be computed');
};

describe('LazyMap', () => {
  it('computes a value once, at its first read; has, size and keys compute nothing', () => {
    let calls = 0;
    const m = new LazyMap<string, number>([
      ['a', () => ++calls * 10],
      ['b', never],
    ]);
    expect(m.has('a')).toBe(true);
    expect(m.has('c')).toBe(false);
    expect(m.size).toBe(2);
    expect([...m.keys()]).toEqual(['a', 'b']);
    expect(calls).toBe(0);
    expect(m.get('a')).toBe(10);
    expect(m.get('a')).toBe(10);
    expect(m.get('c')).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('iterates like the map of its values: every value, in the order the keys were given', () => {
    let calls = 0;
    const m = new LazyMap<string, number>([
      ['a', () => (calls++, 1)],
      ['b', () => (calls++, 2)],
      ['c', () => (calls++, 3)],
    ]);
    expect(m.get('c')).toBe(3);
    expect([...m]).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const seen: string[] = [];
    m.forEach((v, k, map) => seen.push(`${k}${v}${map === m}`));
    expect(seen).toEqual(['a1true', 'b2true', 'c3true']);
    expect([...m.values()]).toEqual([1, 2, 3]);
    expect([...m.entries()]).toEqual([...m]);
    expect(calls).toBe(3);
  });
});
