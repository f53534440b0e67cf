import { describe, expect, it } from 'vitest';
import { fnv1a32, selectSplit, SPLIT_RULE, splitOf, splitRecord } from './split';

describe('development / test split', () => {
  it('hashes with FNV-1a-32 (published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('puts a file in dev iff its hash mod 5 is 0 or 1', () => {
    // a: 0xe40c292c % 5 = 0, b.png: 0x23777a00 % 5 = 1, a.png: 0x74aa1d39 % 5 = 2, broken.jpg: % 5 = 4
    expect(splitOf('a')).toBe('dev');
    expect(splitOf('b.png')).toBe('dev');
    expect(splitOf('a.png')).toBe('test');
    expect(splitOf('broken.jpg')).toBe('test');
  });

  it('selects each half, and the two halves partition the names', () => {
    const names = Array.from({ length: 500 }, (_, i) => `photo_${i}.jpg`);
    const dev = selectSplit(names, 'dev');
    const test = selectSplit(names, 'test');
    expect(dev.length + test.length).toBe(names.length);
    expect(dev.filter((f) => test.includes(f))).toEqual([]);
    // About 40 % development: 2 of 5 residues.
    expect(dev.length / names.length).toBeGreaterThan(0.33);
    expect(dev.length / names.length).toBeLessThan(0.47);
  });

  it('records the rule with both halves sorted', () => {
    expect(splitRecord(['broken.jpg', 'b.png', 'a.png'])).toEqual({
      rule: SPLIT_RULE,
      dev: ['b.png'],
      test: ['a.png', 'broken.jpg'],
    });
  });
});
