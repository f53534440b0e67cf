import { describe, expect, test } from 'vitest';
import {
  FINAL_MAPS,
  finalMap,
  fusedLayers,
  leadMap,
  layerWeights,
  normaliseLayer,
  rankNormalise,
  type LayerChains,
} from './final-maps';
import type { ChainLayer } from './layers';
import { upsampleBilinear } from './maps';

function layer(tensor: string, opType: string, h: number, w: number): ChainLayer {
  return { tensor, node: tensor, opType, dims: [1, 2, h, w], layout: 'NCHW' };
}

/** Synthetic chains: the net chain is P - N exactly (a real one is propagated on its own). */
function chains(l: ChainLayer, P: number[], N: number[]): LayerChains {
  return {
    layer: l,
    S: Float64Array.from(P, (p, i) => p - N[i]),
    P: Float64Array.from(P),
    N: Float64Array.from(N),
  };
}

describe('layer sets', () => {
  const list = [
    layer('x', 'Input', 4, 4),
    layer('a', 'Conv', 4, 4),
    layer('b', 'Relu', 4, 4),
    layer('c', 'MaxPool', 2, 2),
    layer('d', 'Conv', 2, 2),
    layer('g', 'GlobalAveragePool', 1, 1),
  ].map((l) => ({ layer: l }));
  const names = (ls: { layer: ChainLayer }[]) => ls.map((l) => l.layer.tensor);

  test('all: every spatial layer but the input; stage: the last of each resolution; deepest: the last run', () => {
    expect(names(fusedLayers(list, 'all'))).toEqual(['a', 'b', 'c', 'd']);
    expect(names(fusedLayers(list, 'stage'))).toEqual(['b', 'd']);
    expect(names(fusedLayers(list, 'deepest'))).toEqual(['c', 'd']);
    expect(fusedLayers([list[0], list[5]], 'deepest')).toEqual([]);
  });
});

describe('normalisation and weights', () => {
  test('average ranks in [0, 1] with ties sharing their mean rank', () => {
    expect(Array.from(rankNormalise(Float64Array.from([3, 1, 2, 1, 5])))).toEqual([
      0.75, 0.125, 0.5, 0.125, 1,
    ]);
    expect(Array.from(rankNormalise(Float64Array.from([7])))).toEqual([0]);
  });

  test('max and sum divide by max |v| and mean |v|; zero maps stay zero', () => {
    expect(Array.from(normaliseLayer(Float64Array.from([2, -4, 1, 1]), 'max'))).toEqual([
      0.5, -1, 0.25, 0.25,
    ]);
    expect(Array.from(normaliseLayer(Float64Array.from([2, -4, 1, 1]), 'sum'))).toEqual([1, -2, 0.5, 0.5]);
    expect(Array.from(normaliseLayer(new Float64Array(3), 'max'))).toEqual([0, 0, 0]);
  });

  test('weights sum to one: uniform, by depth, by mass', () => {
    const v = [Float64Array.from([1, 1]), Float64Array.from([3, 3]), Float64Array.from([0, 4])];
    expect(Array.from(layerWeights(v, 'uniform'))).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(Array.from(layerWeights(v, 'depth'))).toEqual([1 / 6, 2 / 6, 3 / 6]);
    expect(Array.from(layerWeights(v, 'mass'))).toEqual([2 / 12, 6 / 12, 4 / 12]);
    // No mass at all: equal weights rather than a division by zero.
    expect(Array.from(layerWeights([new Float64Array(2), new Float64Array(2)], 'mass'))).toEqual([0.5, 0.5]);
  });
});

describe('constructions', () => {
  const x = layer('x', 'Input', 2, 2);
  const a = layer('a', 'Conv', 2, 2);
  const b = layer('b', 'Conv', 1, 2);
  const ls = [
    chains(x, [0.5, 1, 0, 2], [0.5, 0, 1, 0]),
    chains(a, [4, 2, 0, 2], [1, 1, 1, 1]),
    chains(b, [1, 3], [2, 0]),
  ];

  test('pixel is the net map of the graph input', () => {
    expect(Array.from(finalMap('pixel', ls, 2, 2))).toEqual([0, 1, -1, 2]);
    expect(Array.from(finalMap('pixel-total', ls, 2, 2))).toEqual([1, 1, 1, 2]);
  });

  test('the net chain is the propagated S, not P - N (on real chains they differ by rounding)', () => {
    const own = [{ ...ls[0], S: Float64Array.of(0.25, 1, -1, 2) }, ...ls.slice(1)];
    expect(Array.from(finalMap('pixel', own, 2, 2))).toEqual([0.25, 1, -1, 2]);
  });

  test('fused: the mean of the max-normalised, upsampled positive maps', () => {
    const upB = upsampleBilinear(Float64Array.from([1 / 3, 1]), 1, 2, 2, 2);
    const want = [1, 0.5, 0, 0.5].map((v, i) => (v + upB[i]) / 2);
    const got = finalMap('fused', ls, 2, 2);
    want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
  });

  test('fused-net sums net maps, which can be negative', () => {
    const got = finalMap('fused-net', ls, 2, 2);
    // a: net [3, 1, -1, 1] / 3; b: net [-1, 3] / 3 upsampled.
    const upB = upsampleBilinear(Float64Array.from([-1 / 3, 1]), 1, 2, 2, 2);
    [1, 1 / 3, -1 / 3, 1 / 3].forEach((v, i) => expect(got[i]).toBeCloseTo((v + upB[i]) / 2, 12));
    expect(Math.min(...got)).toBeLessThan(0);
  });

  test('detail: fused coverage over its maximum times (floor + total chain at the pixels over its maximum)', () => {
    const spec = FINAL_MAPS.detail;
    const F = finalMap('fused', ls, 2, 2);
    const fMax = Math.max(...F);
    const T = [1, 1, 1, 2];
    const got = finalMap('detail', ls, 2, 2);
    F.forEach((f, i) =>
      expect(got[i]).toBeCloseTo((f / fMax) * (spec.floor + Math.pow(T[i] / 2, spec.exponent)), 12),
    );
  });

  test('lead: the top fraction of |D| first, as 1 + |D| / max, the rest as B / max B', () => {
    const D = Float64Array.of(-4, 1, 3, 0, 2);
    const B = Float64Array.of(0.5, 1, 0, 2, 0.25);
    expect([...leadMap(D, B, 0.4)]).toEqual([2, 0.5, 1.75, 1, 0.125]);
    // Ties at the k-th value all lead; no lead (k = 0) leaves B over its maximum.
    expect([...leadMap(Float64Array.of(2, 2, 1), Float64Array.of(1, 1, 4), 0.34)]).toEqual([2, 2, 1]);
    expect([...leadMap(D, B, 0)]).toEqual([0.25, 0.5, 0, 1, 0.125]);
    // The named construction: detail's map behind the top 10 % of the total chain at the pixels.
    const got = finalMap('lead', ls, 2, 2);
    const detail = finalMap('detail', ls, 2, 2);
    const T = Float64Array.of(1, 1, 1, 2);
    expect([...got]).toEqual([...leadMap(T, detail, FINAL_MAPS.lead.fraction)]);
    // Four pixels: round(0.4) = 0 lead, so it is detail over its maximum (at pixel 3).
    expect(got[3]).toBe(1);
  });
});
