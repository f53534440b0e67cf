import { describe, expect, it } from 'vitest';
import { buildModel, loadGraph } from '../onnx';
import { mulberry32, normalArray, uniformArray } from '../random';
import { explain } from '../reference/chain';
import { runForward } from '../reference/forward';
import { layerCorrelations } from './correlation';

function convNet(weights: Float64Array, x: Float64Array) {
  const g = loadGraph(
    buildModel({
      inputs: [{ name: 'x', shape: [1, 2, 5, 5] }],
      outputs: [{ name: 'l', shape: [1, 3] }],
      initializers: {
        w: { dims: [3, 2, 3, 3], data: weights, elemType: 'float64' },
      },
      nodes: [
        {
          op: 'Conv',
          inputs: ['x', 'w'],
          outputs: ['c'],
          attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
        },
        { op: 'Relu', inputs: ['c'], outputs: ['r'] },
        { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['p'] },
        { op: 'Flatten', inputs: ['p'], outputs: ['l'] },
      ],
    }),
  );
  const values = runForward(g, { x: { dims: [1, 2, 5, 5], data: x } });
  return { g, result: explain(g, values, { rule: 'sf' }) };
}

describe('correlation of positive and negative excitations', () => {
  it('all-positive weights and inputs: no negative excitation, purity 1, no chain crossing', () => {
    const rng = mulberry32(8);
    const { g, result } = convNet(uniformArray(rng, 54, 0.1, 1), uniformArray(rng, 50, 0.1, 1));
    const conv = layerCorrelations(g, result).find((l) => l.tensor === 'c')!;
    expect(conv.forward!.pearson).toBeNull();
    expect(conv.forward!.meanPurity).toBeCloseTo(1, 14);
    // N = 0 everywhere: S_N is constant, so its correlation with S_P is undefined, and sum R = sum T.
    expect(conv.chain.pearson).toBeNull();
    expect(conv.netOverTotal).toBeCloseTo(1, 14);
  });

  it('signed weights: every statistic is in range, one row per spatial layer from the input up', () => {
    const rng = mulberry32(9);
    const { g, result } = convNet(normalArray(rng, 54), normalArray(rng, 50));
    const rows = layerCorrelations(g, result);
    expect(rows.map((r) => r.tensor)).toEqual(['x', 'c', 'r']);
    for (const r of rows) {
      for (const v of [r.chain.pearson, r.chain.spearman, r.forward?.pearson, r.forward?.spearman]) {
        if (typeof v === 'number') expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-12);
      }
      expect(r.netOverTotal!).toBeGreaterThanOrEqual(0);
      expect(r.netOverTotal!).toBeLessThanOrEqual(1 + 1e-12);
    }
  });
});
