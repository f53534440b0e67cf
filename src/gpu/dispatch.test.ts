import { describe, expect, test } from 'vitest';
import { sizeClass } from './buffer-pool';
import { dispatchGrid, flatIndex, type Grid } from './dispatch';

describe('dispatch arithmetic', () => {
  test('small spaces use one dimension', () => {
    expect(dispatchGrid(0, 64, 65535)).toEqual([0, 0, 0]);
    expect(dispatchGrid(1, 64, 65535)).toEqual([1, 1, 1]);
    expect(dispatchGrid(64, 64, 65535)).toEqual([1, 1, 1]);
    expect(dispatchGrid(65, 64, 65535)).toEqual([2, 1, 1]);
    expect(dispatchGrid(65535 * 64, 64, 65535)).toEqual([65535, 1, 1]);
  });

  test('large spaces fold into y and z within the per-dimension limit', () => {
    expect(dispatchGrid(65535 * 64 + 1, 64, 65535)).toEqual([65535, 2, 1]);
    const [x, y, z] = dispatchGrid(10_000_000_000, 256, 1000);
    expect([x, y, z]).toEqual([1000, 1000, 40]);
    expect(() => dispatchGrid(1e12, 1, 1000)).toThrow(/exceed/);
  });

  test('every element gets exactly one thread and the padding threads come last', () => {
    for (const [n, wg, max] of [
      [1000, 64, 7],
      [4097, 32, 11],
      [123, 8, 3],
    ]) {
      const grid = dispatchGrid(n, wg, max);
      expect(grid.every((d) => d <= max)).toBe(true);
      const seen = new Set<number>();
      for (let gz = 0; gz < grid[2]; gz++)
        for (let gy = 0; gy < grid[1]; gy++)
          for (let gx = 0; gx < grid[0] * wg; gx++) {
            const i = flatIndex([gx, gy, gz] as Grid, grid, wg);
            expect(seen.has(i)).toBe(false);
            seen.add(i);
          }
      for (let i = 0; i < n; i++) expect(seen.has(i)).toBe(true);
    }
  });
});

describe('buffer size classes', () => {
  test('round up by at most one eighth or 256 bytes', () => {
    expect(sizeClass(1)).toBe(256);
    expect(sizeClass(256)).toBe(256);
    expect(sizeClass(257)).toBe(512);
    expect(sizeClass(5000)).toBe(5120);
    for (const n of [1000, 4097, 123_457, 9_999_999]) {
      const c = sizeClass(n);
      expect(c).toBeGreaterThanOrEqual(n);
      expect(c).toBeLessThanOrEqual(Math.max(n * 1.125, n + 256));
      expect(c % 4).toBe(0);
    }
  });
});
