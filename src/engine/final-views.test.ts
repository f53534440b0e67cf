import { describe, expect, test } from 'vitest';
import { FINAL_MAP_NAMES, finalMapOf, finalMapSigned } from '../core/pane/final-maps';
import { mulberry32 } from '../core/random';
import { explain } from '../core/reference/chain';
import { runForward } from '../core/reference/forward';
import { smallCnn } from '../../tests/support/gpu-graphs';
import { viewMap } from './views';

describe('final maps as views', () => {
  const { g, x } = smallCnn(mulberry32(12), { size: 13 });
  const result = explain(g, runForward(g, { x }), { rule: 'sf' });

  test('every construction of a real chain is finite and not all zero; pixel is the input net view', () => {
    // The net view sums R (PANE-SPEC 4.5), which P - N equals only up to rounding.
    const net = viewMap(g, result, 'x', 'net').data;
    expect(Array.from(finalMapOf(g, result, 'pixel').map)).toEqual(Array.from(net));
    for (const name of FINAL_MAP_NAMES) {
      const { map, h, w } = finalMapOf(g, result, name);
      expect([h, w]).toEqual([13, 13]);
      expect(map.every(Number.isFinite), name).toBe(true);
      expect(Math.max(...map.map(Math.abs)), name).toBeGreaterThan(0);
    }
  });

  test('the input layer shows the construction; every other layer its own map, whatever finalMap says', () => {
    for (const name of FINAL_MAP_NAMES) {
      const v = viewMap(g, result, 'x', 'positive', name);
      const want =
        name === 'pixel' ? viewMap(g, result, 'x', 'positive').data : finalMapOf(g, result, name).map;
      expect(Array.from(v.data), name).toEqual(Array.from(want));
      expect(v.signed, name).toBe(name === 'pixel' ? false : finalMapSigned(name));
      // The same object for the same explanation: switching back costs nothing.
      if (name !== 'pixel') expect(viewMap(g, result, 'x', 'net', name)).toBe(v);
      expect(viewMap(g, result, 'r1', 'negative', name).data).toEqual(
        viewMap(g, result, 'r1', 'negative').data,
      );
    }
  });
});
